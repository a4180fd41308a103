namespace Switchboard.Api;

/// <summary>Error answers as <see cref="IResult"/>s, all in the <c>@error</c> envelope.</summary>
internal static class ApiResults
{
    public static IResult Error(int status, string? message = null, IReadOnlyDictionary<string, string>? fields = null) =>
        new ErrorResult(status, message, fields);

    public static IResult NotFound(string what) => Error(StatusCodes.Status404NotFound, $"{what} not found.");

    public static IResult Invalid(IReadOnlyDictionary<string, string> fields) =>
        Error(StatusCodes.Status422UnprocessableEntity, "Some fields are not valid: see @fields.", fields);

    private sealed class ErrorResult(int status, string? message, IReadOnlyDictionary<string, string>? fields) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => ApiError.WriteAsync(httpContext, status, message, fields);
    }
}
