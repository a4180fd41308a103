using System.Collections.Concurrent;

namespace Switchboard.Tests;

/// <summary>
/// Every (method, path, status) that the test hubs answered to the clients <see cref="TestHub"/> makes,
/// for <see cref="DeclaredStatusesTests"/> to hold against the OpenAPI document.
/// </summary>
internal static class ObservedStatuses
{
    private static readonly ConcurrentDictionary<(string Method, string Path, int Status), byte> Seen = new();

    public static IReadOnlyCollection<(string Method, string Path, int Status)> All => [.. Seen.Keys];

    public static HttpClient Client(string url) => new(new Recorder { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = new Uri(url) };

    private sealed class Recorder : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Seen.TryAdd((request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode), 0);
            return response;
        }
    }
}
