namespace Switchboard.Tests;

/// <summary>
/// A test of what only the SQLite backend has (its query plans, its file, its write lock, its
/// upgrade from before PostgreSQL was a backend): skipped when the tests run on PostgreSQL.
/// </summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestPostgres.Enabled)
        {
            Skip = "SQLite only";
        }
    }
}

/// <inheritdoc cref="SqliteFactAttribute"/>
public sealed class SqliteTheoryAttribute : TheoryAttribute
{
    public SqliteTheoryAttribute()
    {
        if (TestPostgres.Enabled)
        {
            Skip = "SQLite only";
        }
    }
}

/// <summary>A test of several nodes on one database: skipped unless the tests run on PostgreSQL.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestPostgres.Enabled)
        {
            Skip = "PostgreSQL only (SWITCHBOARD_TEST_STORAGE=postgres)";
        }
    }
}
