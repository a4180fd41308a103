using System.Text;

namespace Switchboard.Tests;

/// <summary>
/// Captures what a running command prints, safe to read while it writes: tests wait for a line to
/// appear instead of sleeping.
/// </summary>
internal sealed class LiveWriter : TextWriter
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            _text.Append(value).Append(NewLine);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }

    /// <summary>The complete lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            var text = ToString();
            var end = text.LastIndexOf('\n');
            return end < 0 ? [] : text[..end].Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        }
    }

    /// <summary>Waits for a complete line that satisfies <paramref name="match"/> and returns it; fails after <paramref name="timeout"/> (default 20 s).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan? timeout = null, Task? stopsEarly = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            // Read before the lines: a command that printed the line and then ended has still printed it.
            var stopped = stopsEarly is { IsCompleted: true };
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }
            if (stopped || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No line with {what}; got:\n{this}");
            }
            await Task.Delay(20);
        }
    }
}
