namespace Switchboard.Storage;

/// <summary>The batch writers' turn for the write lock (<see cref="HubDatabase.WriterTurnAsync"/>), with the connection to write on.</summary>
internal sealed class WriterTurn(HubConnection db, SemaphoreSlim? turn) : IAsyncDisposable
{
    public HubConnection Db { get; } = db;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Rolls back what was not committed (a write that failed on the way).
            await Db.DisposeAsync();
        }
        finally
        {
            turn?.Release();
        }
    }
}
