using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>The FILE|- argument shared by the commands that read one event.</summary>
internal static class EventInput
{
    public static Argument<string> Argument() => new("file")
    {
        Description = "Path of an Events v2 JSON file, or - to read standard input.",
    };

    /// <summary>The bytes of the file or of standard input; null (after saying why) when it cannot be read.</summary>
    public static async Task<byte[]?> ReadAsync(string file, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (file == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                await stdin.CopyToAsync(buffer, cancellationToken);
                return buffer.ToArray();
            }
            return await File.ReadAllBytesAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"switchboard: cannot read {file}: {e.Message}");
            return null;
        }
    }
}
