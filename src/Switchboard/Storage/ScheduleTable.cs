using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Storage;

/// <summary>Open on <see cref="Days"/> (<c>mon</c>…<c>sun</c>) from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive), local <c>HH:mm</c>.</summary>
internal sealed record ScheduleRule(IReadOnlyList<string> Days, string From, string To);

/// <summary>One local date that differs from the rules: closed, or open only from/to.</summary>
internal sealed record ScheduleException(
    string Date,
    bool Open,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? From = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To = null);

/// <summary>A business-hours calendar used by schedule filters (api.md, Schedules); account level only.</summary>
internal sealed record Schedule(long Id, long VoipId, string Name, string TimeZone, IReadOnlyList<ScheduleRule> Rules, IReadOnlyList<ScheduleException> Exceptions);

/// <summary>The SQL of the <c>schedules</c> table; rules and exceptions are JSON text.</summary>
internal static class ScheduleTable
{
    public const string Name = "schedules";
    public const string Columns = "id, voip_id, name, time_zone, rules, exceptions";

    public static Task<Schedule?> FindAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(db.Command($"SELECT {Columns} FROM schedules WHERE id = @id").With("@id", id), Read, cancellationToken);

    public static async Task<Schedule> InsertAsync(HubConnection db, Schedule schedule, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(
            Bind(db.Command($"""
                INSERT INTO schedules (voip_id, extension_id, name, time_zone, rules, exceptions)
                VALUES (@voip_id, NULL, @name, @time_zone, @rules, @exceptions) RETURNING {Columns}
                """), schedule),
            Read, cancellationToken))!;

    public static Task<int> UpdateAsync(HubConnection db, Schedule schedule, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            Bind(db.Command("UPDATE schedules SET name = @name, time_zone = @time_zone, rules = @rules, exceptions = @exceptions WHERE id = @id"), schedule)
                .With("@id", schedule.Id),
            cancellationToken);

    /// <summary>Deletes the schedule; schedule filters naming it then fail (delivery.md, Filters).</summary>
    public static Task<int> DeleteAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("DELETE FROM schedules WHERE id = @id").With("@id", id), cancellationToken);

    public static Schedule Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
        JsonSerializer.Deserialize(reader.GetString(4), StorageJsonContext.Default.ScheduleRuleArray)!,
        JsonSerializer.Deserialize(reader.GetString(5), StorageJsonContext.Default.ScheduleExceptionArray)!);

    private static DbCommand Bind(DbCommand command, Schedule schedule) => command
        .With("@voip_id", schedule.VoipId).With("@name", schedule.Name).With("@time_zone", schedule.TimeZone)
        .With("@rules", JsonSerializer.Serialize([.. schedule.Rules], StorageJsonContext.Default.ScheduleRuleArray))
        .With("@exceptions", JsonSerializer.Serialize([.. schedule.Exceptions], StorageJsonContext.Default.ScheduleExceptionArray));
}
