namespace Switchboard.Events;

internal static class Placeholder;
