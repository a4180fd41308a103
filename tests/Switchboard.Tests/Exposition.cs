using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Switchboard.Tests;

/// <summary>One sample of a Prometheus text exposition: its name, its labels and its value.</summary>
internal sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>What <c>GET /metrics</c> answered, read sample by sample.</summary>
internal sealed partial class Exposition(string text, IReadOnlyList<MetricSample> samples)
{
    public string Text { get; } = text;

    public IReadOnlyList<MetricSample> Samples { get; } = samples;

    /// <summary>The sum of the samples of <paramref name="name"/> that carry these labels; 0 when there is none (a counter not yet counted).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);

    public static async Task<Exposition> ReadAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var samples = new List<MetricSample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"Not a sample line: {line}");
            var labels = match.Groups["label"].Captures.Select((c, i) => (c.Value, match.Groups["labelValue"].Captures[i].Value)).ToDictionary();
            samples.Add(new MetricSample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        return new Exposition(text, samples);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?<label>[a-zA-Z_][a-zA-Z0-9_]*)="(?<labelValue>[^"\\]*)",?)*\})? (?<value>-?(\d+(\.\d+)?([eE][+-]?\d+)?|\+Inf|NaN))( \d+)?$""")]
    public static partial Regex SampleLine();
}
