namespace Switchboard.Api;

/// <summary>The answer of a successful delete.</summary>
internal sealed record DeleteResult(bool Success);

/// <summary>Error answers as <see cref="IResult"/>s, all in the <c>@error</c> envelope.</summary>
internal static class ApiResults
{
    public static IResult Error(int status, string? message = null, IReadOnlyDictionary<string, string>? fields = null) =>
        new Failure(status, message ?? ApiError.DefaultMessage(status), fields);

    public static IResult NotFound(string what) => Error(StatusCodes.Status404NotFound, $"{what} not found.");

    /// <summary>422 with every offending field in <c>@fields</c>; the message names the first, so a log line alone says what was wrong.</summary>
    public static IResult Invalid(IReadOnlyDictionary<string, string> fields)
    {
        var (field, problem) = fields.First();
        var more = fields.Count > 1 ? $" (and {fields.Count - 1} more, see @fields)" : "";
        return Error(StatusCodes.Status422UnprocessableEntity, $"{field}: {problem}{more}.", fields);
    }

    /// <summary>api.md, Verification: the callback URL did not accept the test request; nothing is stored.</summary>
    public static IResult VerificationFailed(string message, string field = "config.url") =>
        Error(StatusCodes.Status422UnprocessableEntity, message, new Dictionary<string, string> { [field] = "did not accept the test request" });

    /// <summary>api.md, Delete: <c>200 {"success": true}</c>.</summary>
    public static IResult Deleted() => TypedResults.Json(new DeleteResult(true), ApiJsonContext.Relaxed.DeleteResult);

    /// <summary>An error answer; the dashboard reads its message where the API writes the envelope.</summary>
    public sealed record Failure(int Status, string Message, IReadOnlyDictionary<string, string>? Fields) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => ApiError.WriteAsync(httpContext, Status, Message, Fields);
    }
}
