using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A filter create body as the OpenAPI document shows it (bodies are read by hand, <see cref="FilterInput"/>).</summary>
internal sealed record FilterRequest([property: AllowedValues(FilterInput.Number, FilterInput.Schedule)] string FilterType, JsonElement FilterValue, bool NotLogic = false);

/// <summary>A filter update body: only the fields given change; a new filter_type needs its filter_value.</summary>
internal sealed record FilterChange([property: RefusesNull, AllowedValues(FilterInput.Number, FilterInput.Schedule)] string? FilterType = null, [property: RefusesNull] JsonElement? FilterValue = null, [property: RefusesNull] bool? NotLogic = null);

/// <summary>What a filter body asks for, checked; <see cref="ScheduleId"/> still has to be found in the account.</summary>
internal sealed record FilterDraft(string FilterType, JsonElement FilterValue, bool NotLogic, long? ScheduleId);

/// <summary>Filter create and update bodies (api.md, Filters).</summary>
internal static partial class FilterInput
{
    public const string Number = "number";
    public const string Schedule = "schedule";

    public static readonly string[] Fields = ["filter_type", "filter_value", "not_logic"];

    private const int MaxNumbers = 1000;

    /// <summary>
    /// A create body (<paramref name="existing"/> null) or an update over <paramref name="existing"/>:
    /// a new <c>filter_type</c> needs a new <c>filter_value</c>; a value alone is checked against the stored type.
    /// </summary>
    public static FilterDraft? Read(JsonElement body, FieldErrors errors, ListenerFilter? existing)
    {
        var before = errors.Count;
        errors.RejectUnknown(body, Fields);
        var creating = existing is null;
        var type = errors.OneOf(body, "filter_type", required: creating, Number, Schedule);
        var value = errors.Object(body, "filter_value", required: creating);
        var notLogic = errors.Boolean(body, "not_logic", required: false);
        if (errors.Count > before || (type is null && creating))
        {
            return null;
        }
        type ??= existing!.FilterType;
        if (value is null && type != existing!.FilterType)
        {
            errors.Add("filter_value", $"is required when filter_type changes to {type}");
            return null;
        }
        if (value is null)
        {
            return new FilterDraft(type, existing!.FilterValue, notLogic ?? existing.NotLogic, ScheduleIdOf(existing));
        }
        var at = errors.At("filter_value");
        var (normalised, scheduleId) = type == Number ? (ReadNumber(value.Value, at), null) : ReadSchedule(value.Value, at);
        return normalised is null ? null : new FilterDraft(type, normalised.Value, notLogic ?? existing?.NotLogic ?? false, scheduleId);
    }

    /// <summary>The schedule a stored schedule filter names.</summary>
    public static long? ScheduleIdOf(ListenerFilter filter) =>
        filter.FilterType == Schedule && filter.FilterValue.TryGetProperty("id", out var id) && id.TryGetInt64(out var n) ? n : null;

    /// <summary>Exactly one of <c>eq</c> (E.164), <c>in</c> (1–1000 E.164 numbers), <c>match</c> (+, digits and %).</summary>
    private static JsonElement? ReadNumber(JsonElement value, FieldErrors at)
    {
        var before = at.Count;
        at.RejectUnknown(value, "eq", "in", "match");
        var given = new[] { "eq", "in", "match" }.Count(k => FieldErrors.Has(value, k));
        if (given != 1)
        {
            at.AddHere("must have exactly one of eq, in, match");
            return null;
        }
        JsonObject normalised;
        if (FieldErrors.Has(value, "eq"))
        {
            var eq = at.String(value, "eq", required: true, maxLength: 16);
            if (eq is not null && !E164().IsMatch(eq))
            {
                at.Add("eq", "must be an E.164 number: + and up to 15 digits, not starting with 0");
            }
            normalised = new JsonObject { ["eq"] = eq };
        }
        else if (FieldErrors.Has(value, "in"))
        {
            var numbers = new List<string>();
            if (at.Array(value, "in", required: true, minItems: 1, maxItems: MaxNumbers) is { } array)
            {
                var i = 0;
                foreach (var item in array.EnumerateArray())
                {
                    var field = $"in[{i++}]";
                    if (item.ValueKind != JsonValueKind.String || !E164().IsMatch(item.GetString()!))
                    {
                        at.Add(field, "must be an E.164 number: + and up to 15 digits, not starting with 0");
                    }
                    else if (!numbers.Contains(item.GetString()!))
                    {
                        numbers.Add(item.GetString()!);
                    }
                }
            }
            normalised = new JsonObject { ["in"] = new JsonArray([.. numbers.Select(n => (JsonNode)n)]) };
        }
        else
        {
            var match = at.String(value, "match", required: true, maxLength: 32);
            if (match is not null && !MatchPattern().IsMatch(match))
            {
                at.Add("match", "must be a pattern of +, digits and % (any run of characters)");
            }
            normalised = new JsonObject { ["match"] = match };
        }
        return at.Count > before ? null : StoredJson.Parse(normalised.ToJsonString());
    }

    private static (JsonElement?, long?) ReadSchedule(JsonElement value, FieldErrors at)
    {
        at.RejectUnknown(value, "id");
        var id = at.Integer(value, "id", required: true, min: 1);
        return id is null ? (null, null) : (StoredJson.Parse(new JsonObject { ["id"] = id }.ToJsonString()), id);
    }

    [GeneratedRegex(@"^\+[1-9]\d{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();

    [GeneratedRegex(@"^[+0-9%]+$", RegexOptions.CultureInvariant)]
    private static partial Regex MatchPattern();
}
