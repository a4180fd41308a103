using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>
/// An answer given before a body over the limit was read — a 401 to a POST with a wrong token, a 404 or
/// 409 to a DELETE that carries a body — closes the connection, since the web server drains an unread body
/// only up to the limit; the answer says <c>Connection: close</c>, so that a client does not send its next
/// request on a connection that is gone (found by the API fuzz test: the next request failed unanswered).
/// </summary>
public class UnreadBodyTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private static readonly string Big = $$"""{"name": "{{new string('a', 70_000)}}"}""";

    [Fact]
    public async Task An_answer_before_a_body_over_the_limit_is_read_says_connection_close()
    {
        using var client = await shared.Hub.ClientAsync(TokenScope.Account, 1000002);
        using var stranger = ObservedStatuses.Client(shared.Hub.Url);
        stranger.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sb_unknown");

        var unauthorized = await stranger.PostAsync($"{AccountBase}/profiles", Json(Big));
        await ErrorAsync(unauthorized, HttpStatusCode.Unauthorized);
        Assert.True(unauthorized.Headers.ConnectionClose);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"{AccountBase}/profiles/999999") { Content = Json(Big) };
        var missing = await client.SendAsync(delete);
        await ErrorAsync(missing, HttpStatusCode.NotFound);
        Assert.True(missing.Headers.ConnectionClose);

        // Under the limit the web server reads the rest itself and the connection stays open.
        using var small = new HttpRequestMessage(HttpMethod.Delete, $"{AccountBase}/profiles/999999") { Content = Json("""{"name": "a"}""") };
        var kept = await client.SendAsync(small);
        await ErrorAsync(kept, HttpStatusCode.NotFound);
        Assert.NotEqual(true, kept.Headers.ConnectionClose);
    }

    [Fact]
    public async Task A_keep_alive_client_is_not_left_sending_on_a_closed_connection()
    {
        var uri = new Uri(shared.Hub.Url);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var body = Encoding.UTF8.GetBytes(Big);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {AccountBase}/profiles HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer sb_unknown\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        try
        {
            await stream.WriteAsync(body);
        }
        catch (IOException)
        {
            // The server may stop reading once it has answered; what it answered is what counts.
        }

        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 401", head, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", head, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, timeout.Token) == 1)
        {
            head.Append((char)buffer[0]);
        }
        return head.ToString();
    }
}
