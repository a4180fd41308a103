using System.CommandLine;
using Switchboard.Events;

namespace Switchboard.Cli;

/// <summary><c>switchboard validate FILE|-</c>: is this a valid Events v2 event?</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = EventInput.Argument();
        var command = new Command("validate", "Check an Events v2 event: prints ok (exit 0), or every error with its JSON path, one per line (exit 1).")
        {
            file,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var bytes = await EventInput.ReadAsync(parseResult.GetValue(file)!, parseResult.InvocationConfiguration.Error, cancellationToken);
            if (bytes is null)
            {
                return 2;
            }
            var result = EventJson.Read(bytes);
            if (result.IsValid)
            {
                await output.WriteLineAsync("ok");
                return 0;
            }
            foreach (var error in result.Errors)
            {
                await output.WriteLineAsync(error.ToString());
            }
            return 1;
        });
        return command;
    }
}
