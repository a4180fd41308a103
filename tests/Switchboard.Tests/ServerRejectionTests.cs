using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>A hub whose web server gives up on slow request headers after 1 s instead of 30.</summary>
public sealed class QuickTimeoutHub : IAsyncLifetime
{
    internal TestHub Hub { get; private set; } = null!;

    public async Task InitializeAsync() => Hub = await TestHub.StartAsync(null, "--Kestrel:Limits:RequestHeadersTimeout=00:00:01");

    public async Task DisposeAsync() => await Hub.DisposeAsync();
}

/// <summary>
/// api.md, Errors: what the web server refuses before the app sees the request still answers
/// with the <c>@error</c> envelope, with a message naming what was wrong.
/// </summary>
public class ServerRejectionTests(QuickTimeoutHub fixture) : IClassFixture<QuickTimeoutHub>
{
    [Fact]
    public async Task A_nul_in_the_path_is_400_with_the_envelope_naming_the_request_line()
    {
        var error = await ErrorAsync(await fixture.Hub.Http.GetAsync($"{AccountBase}/profiles/%00"), HttpStatusCode.BadRequest);

        Assert.Contains("request line or a header is malformed", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_32_KB_are_431_with_the_envelope_naming_the_limit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AccountBase}/profiles");
        request.Headers.Add("X-Padding", new string('a', 40 * 1024));

        var error = await ErrorAsync(await fixture.Hub.Http.SendAsync(request), HttpStatusCode.RequestHeaderFieldsTooLarge);

        Assert.Equal("Request headers too large: at most 32768 bytes and 100 headers.", error.GetProperty("@message").GetString());
    }

    [Fact]
    public async Task A_request_line_over_8_KB_is_414_with_the_envelope_naming_the_limit()
    {
        var error = await ErrorAsync(await fixture.Hub.Http.GetAsync($"{AccountBase}/profiles?name={new string('a', 20 * 1024)}"), HttpStatusCode.RequestUriTooLong);

        Assert.Equal("Request line too long: the method, path and query may take 8192 bytes at most.", error.GetProperty("@message").GetString());
    }

    [Fact]
    public async Task Headers_sent_too_slowly_are_408_with_the_envelope_naming_the_headers()
    {
        var (status, body) = await RawAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n", pause: TimeSpan.FromSeconds(3), "X-Late: 1\r\n\r\n");

        Assert.Equal(408, status);
        Assert.Equal("Request timeout: the request headers did not arrive within 1 s.", Message(body, 408));
    }

    [Fact]
    public async Task A_body_sent_too_slowly_is_408_with_the_envelope_naming_the_body()
    {
        using var client = await fixture.Hub.ClientAsync(TokenScope.Account, 1000002);
        var token = client.DefaultRequestHeaders.Authorization!.Parameter;

        // Kestrel wants 240 bytes a second after a grace of 5 s; one byte in 7 s is too slow.
        var (status, body) = await RawAsync(
            $"POST {AccountBase}/profiles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
            pause: TimeSpan.FromSeconds(7), "\"name\": \"P\"");

        Assert.Equal(408, status);
        Assert.Equal("Request timeout: the request body arrived too slowly.", Message(body, 408));
    }

    [Fact]
    public async Task A_bad_request_after_a_good_one_on_the_same_connection_gets_the_envelope_and_the_good_answer_is_untouched()
    {
        var (status, body) = await RawAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /x%00 HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, status);
        Assert.StartsWith("""{"status":"ok"}HTTP/1.1 400 Bad Request""", body, StringComparison.Ordinal);
        var second = body[body.IndexOf("\r\n\r\n", StringComparison.Ordinal)..].Trim();
        Assert.Contains("request line or a header is malformed", Message(second, 400), StringComparison.Ordinal);
    }

    private static string Message(string body, int status)
    {
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("@error");
        Assert.Equal(status, error.GetProperty("@httpStatusCode").GetInt32());
        return error.GetProperty("@message").GetString()!;
    }

    /// <summary>
    /// Sends <paramref name="first"/>, waits <paramref name="pause"/>, sends the rest, and reads until
    /// the hub closes: the first status, and everything after the first head with chunked framing removed.
    /// </summary>
    private async Task<(int Status, string Body)> RawAsync(string first, TimeSpan pause = default, string rest = "")
    {
        var url = new Uri(fixture.Hub.Url);
        using var socket = new TcpClient();
        await socket.ConnectAsync(url.Host, url.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(first));
        if (pause > TimeSpan.Zero)
        {
            await Task.Delay(pause);
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(rest));
            }
            catch (IOException)
            {
                // The hub answered and closed already.
            }
        }
        using var read = new MemoryStream();
        try
        {
            await stream.CopyToAsync(read).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (IOException)
        {
            // A reset after the answer: what was read is the answer.
        }
        var text = Encoding.UTF8.GetString(read.ToArray());
        Assert.True(text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal), $"not an HTTP answer: {text}");
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = text[..headEnd];
        var body = text[(headEnd + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            var unchunked = new StringBuilder();
            var at = 0;
            while (true)
            {
                var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                var size = Convert.ToInt32(body[at..lineEnd], 16);
                if (size == 0)
                {
                    unchunked.Append(body[(lineEnd + 4)..]);
                    break;
                }
                unchunked.Append(body, lineEnd + 2, size);
                at = lineEnd + 2 + size + 2;
            }
            body = unchunked.ToString();
        }
        return (int.Parse(head[9..12], System.Globalization.CultureInfo.InvariantCulture), body);
    }
}
