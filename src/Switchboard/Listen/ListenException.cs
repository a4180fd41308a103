namespace Switchboard.Listen;

/// <summary>Why <c>switchboard listen</c> cannot go on, in words for the person who ran it.</summary>
internal sealed class ListenException(string message) : Exception(message);
