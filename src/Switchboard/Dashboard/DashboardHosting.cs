using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;

namespace Switchboard.Dashboard;

/// <summary>
/// The web dashboard at <c>/ui</c> (api.md, Dashboard): pages rendered on the server from Razor
/// components, a little script, and the same rules as the API, since every page and action goes
/// through the API's scope check and the API's own functions.
/// </summary>
internal static class DashboardHosting
{
    public const string Root = "/ui";

    /// <summary>
    /// Scripts and styles only from the hub's own files, no inline script, no framing; forms post
    /// only back to the hub. The charts are SVG drawn on the server, so no more is needed.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder, string dataDirectory)
    {
        builder.Services.AddRazorComponents();
        // The keys sign antiforgery tokens only; kept beside the database, so a form survives a restart of the hub.
        builder.Services.AddDataProtection().SetApplicationName("switchboard")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "dashboard-keys")));
        // They protect no secret, so they are not encrypted at rest: the framework's warning about it says nothing to act on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "switchboard_antiforgery";
            options.Cookie.Path = Root;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Also what the dashboard's script sends with a form it posts itself.
            options.HeaderName = "X-Switchboard-Antiforgery";
        });
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Root), ui => ui.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments(DashboardAssets.Path))
            {
                // Pages show one tenant's data: never kept by a shared cache or the browser's history.
                headers.CacheControl = "no-store";
            }
            await next(context);
        }));
        var ui = app.MapGroup(Root).ExcludeFromDescription();
        ui.MapDashboardAssets();
        ui.MapSignIn();
        ui.MapOperatorPages();
        ui.MapCustomerPages();
        return app;
    }

    /// <summary>
    /// api.md, Dashboard: every form carries the antiforgery token, checked before anything else
    /// happens; a post without it is refused with 400 and changes nothing.
    /// </summary>
    public static async Task<IResult?> RefuseForgedAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            return null;
        }
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return DashboardResults.Problem(StatusCodes.Status400BadRequest, "This form has expired or did not come from this page",
                "Nothing was changed. Go back, reload the page and try again.");
        }
    }
}
