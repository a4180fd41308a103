using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Delivery;

/// <summary>
/// The one <see cref="HttpClient"/> that reaches callback URLs, behind the <see cref="NetworkGuard"/>.
/// Timeouts are per request (each callback has its own), so the client itself has none.
/// </summary>
internal sealed class CallbackHttp : IDisposable
{
    public CallbackHttp(IOptions<DeliveryOptions> options)
    {
        Client = new HttpClient(NetworkGuard.CreateHandler(options.Value.AllowPrivateNetworks))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd($"Switchboard/{typeof(CallbackHttp).Assembly.GetName().Version?.ToString(3)}");
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}
