using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>One page of a collection: its rows (id descending) and how many rows match in all.</summary>
internal sealed record PageRows<T>(long Total, IReadOnlyList<T> Items);

/// <summary>The paged, filtered, id-descending list query every collection answers (api.md, Lists).</summary>
internal static class Listing
{
    /// <param name="filters">Exact-match filters; column names come from each resource's fixed list, values travel as parameters.</param>
    public static async Task<PageRows<T>> PageAsync<T>(
        HubConnection db, string table, string columns, RowScope scope, IReadOnlyList<(string Column, object Value)> filters,
        int limit, int offset, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var where = scope.Where;
        foreach (var (column, _) in filters)
        {
            if (!column.All(c => c is '_' or (>= 'a' and <= 'z')))
            {
                throw new ArgumentException($"Not a column name: {column}", nameof(filters));
            }
            where += $" AND {column} = @f_{column}";
        }
        DbCommand Command(string sql)
        {
            var command = db.Command(sql);
            foreach (var (name, value) in scope.Parameters)
            {
                command.With(name, value);
            }
            foreach (var (column, value) in filters)
            {
                command.With("@f_" + column, value);
            }
            return command;
        }
        var total = await HubConnection.Int64Async(Command($"SELECT COUNT(*) FROM {table} WHERE {where}"), cancellationToken);
        var items = total <= offset
            ? []
            : await HubConnection.ListAsync(
                Command($"SELECT {columns} FROM {table} WHERE {where} ORDER BY id DESC LIMIT @limit OFFSET @offset").With("@limit", limit).With("@offset", offset),
                read, cancellationToken);
        return new PageRows<T>(total, items);
    }
}
