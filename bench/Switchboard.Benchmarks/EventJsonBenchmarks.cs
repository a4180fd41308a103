using System.Buffers;
using BenchmarkDotNet.Attributes;
using Switchboard.Events;

namespace Switchboard.Benchmarks;

/// <summary>
/// Reading, tagging and writing the conformance fixtures. Target (issue: foundation): read + tag +
/// write of 3-2nd-leg-new.json at 150 000 per second on one core, at most 4 KiB allocated each.
/// </summary>
[MemoryDiagnoser]
public class EventJsonBenchmarks
{
    private byte[] _json = [];
    private Event _event = null!;
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    [Params("inbound-call-to-device/3-2nd-leg-new.json", "message.json", "api-error.json")]
    public string Fixture { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _json = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "events", Fixture));
        _event = EventJson.Read(_json).Value ?? throw new InvalidOperationException($"{Fixture} does not read");
    }

    [Benchmark]
    public Event Read() => EventJson.Read(_json).Value!;

    [Benchmark]
    public string[] Tag() => EventTagger.Tag(_event);

    [Benchmark]
    public int Write()
    {
        _output.ResetWrittenCount();
        EventJson.Write(_output, _event);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    public int ReadTagWrite()
    {
        var value = EventJson.Read(_json).Value!;
        var tagged = value with { Tags = EventTagger.Tag(value) };
        _output.ResetWrittenCount();
        EventJson.Write(_output, tagged);
        return _output.WrittenCount;
    }
}
