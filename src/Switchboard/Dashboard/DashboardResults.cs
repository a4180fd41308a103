using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Components;
using Switchboard.Dashboard.Pages;

namespace Switchboard.Dashboard;

/// <summary>A page that says why there is nothing to show: signed out, not allowed, not found, a form refused.</summary>
internal sealed record ProblemModel(PageFrame Frame, int Status, string Title, string Detail);

/// <summary>The answers of the dashboard's handlers: pages rendered from components, problems, redirects.</summary>
internal static class DashboardResults
{
    /// <summary>Renders page <typeparamref name="TPage"/> from its model (pages take their model as one parameter, as components must be public).</summary>
    public static IResult Page<TPage>(object model, int status = StatusCodes.Status200OK)
        where TPage : IComponent =>
        new RazorComponentResult<TPage>(new Dictionary<string, object?> { ["Model"] = model }) { StatusCode = status };

    public static IResult Problem(int status, string title, string detail, PageFrame? frame = null) =>
        new DeferredProblem(status, title, detail, frame);

    /// <summary>Post, then redirect, then get: a reload never posts twice.</summary>
    public static IResult SeeOther(string path) => TypedResults.Redirect(path);

    /// <summary>The frame is made when the answer is written, so that a problem found before sign-in still gets an antiforgery token.</summary>
    private sealed class DeferredProblem(int status, string title, string detail, PageFrame? frame) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var shown = frame ?? PageFrame.For(httpContext, await DashboardSession.FindAsync(httpContext));
            await Page<ProblemPage>(new ProblemModel(shown, status, title, detail), status).ExecuteAsync(httpContext);
        }
    }
}
