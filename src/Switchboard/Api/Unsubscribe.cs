using System.Net;
using Switchboard.Delivery;

namespace Switchboard.Api;

/// <summary>
/// <c>GET /callback-unsubscribe/{listener_id}/{token}</c> (delivery.md, EMAIL callbacks): the link at
/// the end of every e-mail. No authentication — the token is the proof; it stops e-mail for the
/// listener and answers a small page for the person who clicked. A wrong token is 404.
/// </summary>
internal static class Unsubscribe
{
    public const string Route = "/callback-unsubscribe/{listener_id:long}/{token}";

    public static IEndpointRouteBuilder MapUnsubscribe(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, async Task<IResult> (long listener_id, string token, EmailUnsubscribes unsubscribes, CancellationToken cancellationToken) =>
        {
            if (!await unsubscribes.UnsubscribeAsync(listener_id, token, cancellationToken))
            {
                return TypedResults.NotFound();
            }
            return TypedResults.Text(Page(listener_id), "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        return routes;
    }

    private static string Page(long listenerId) => $$"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Unsubscribed</title>
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
        <body>
        <h1>Unsubscribed</h1>
        <p>Switchboard will send no more e-mail for listener {{WebUtility.HtmlEncode(listenerId.ToString(System.Globalization.CultureInfo.InvariantCulture))}}.</p>
        <p>Nothing else about the listener has changed; its owner can still change or delete it.</p>
        </body>
        </html>
        """;
}
