using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Switchboard.Hosting;

/// <summary>
/// The base of links the hub puts in e-mail: <c>PublicBaseUrl</c> when the operator set it (the
/// hub behind a proxy or a public name), else the first address the hub listens on.
/// </summary>
internal sealed class PublicUrl(IOptions<PublicUrlOptions> options, IServer server)
{
    public string Base
    {
        get
        {
            var configured = options.Value.PublicBaseUrl;
            var url = string.IsNullOrWhiteSpace(configured)
                ? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost"
                : configured;
            return url.TrimEnd('/');
        }
    }

    /// <summary>delivery.md: <c>{public base URL}/callback-unsubscribe/{listener_id}/{token}</c>.</summary>
    public string Unsubscribe(long listenerId, string token) => $"{Base}/callback-unsubscribe/{listenerId}/{token}";
}
