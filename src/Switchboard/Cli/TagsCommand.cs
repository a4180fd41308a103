using System.CommandLine;
using System.Text.Json;
using Switchboard.Events;

namespace Switchboard.Cli;

/// <summary><c>switchboard tags FILE|-</c>: the tags the rules derive for an event.</summary>
internal static class TagsCommand
{
    public static Command Create()
    {
        var file = EventInput.Argument();
        var command = new Command("tags", "Print the tags derived from an event's data as a JSON array on one line (docs/api.md, Subscriptions, lists every tag).")
        {
            file,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var bytes = await EventInput.ReadAsync(parseResult.GetValue(file)!, error, cancellationToken);
            if (bytes is null)
            {
                return 2;
            }
            var result = EventJson.Read(bytes);
            if (!result.IsValid)
            {
                await error.WriteLineAsync("switchboard: not a valid event (run `switchboard validate` for details):");
                foreach (var e in result.Errors)
                {
                    await error.WriteLineAsync(e.ToString());
                }
                return 1;
            }
            var tags = EventTagger.Tag(result.Value!);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(tags, CliJsonContext.Default.StringArray));
            return 0;
        });
        return command;
    }
}
