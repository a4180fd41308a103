using System.Data.Common;

namespace Switchboard.Storage;

internal static class DbCommandExtensions
{
    /// <summary>Adds a parameter; null becomes SQL NULL. Values always travel as parameters, never in SQL text.</summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Adds one parameter per value (<paramref name="prefix"/>0, 1, …) and returns them as an SQL list, for <c>IN (…)</c>.</summary>
    public static string WithList(this DbCommand command, string prefix, IEnumerable<long> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = prefix + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.With(name, value);
            names.Add(name);
        }
        return string.Join(", ", names);
    }

    public static long? GetNullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
