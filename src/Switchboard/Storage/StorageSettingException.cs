namespace Switchboard.Storage;

/// <summary>Where the data lives was given wrong (a connection string that does not parse): the user's mistake, said in one line.</summary>
internal sealed class StorageSettingException(string message) : Exception(message);
