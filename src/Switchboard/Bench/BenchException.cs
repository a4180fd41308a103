namespace Switchboard.Bench;

/// <summary>The bench cannot go on: the message says why, for the person running it.</summary>
internal sealed class BenchException(string message) : Exception(message);
