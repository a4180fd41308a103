using System.Text.Json;

namespace Switchboard.Tests;

/// <summary>The schema checker of the fuzz test finds what is off and passes what is not, keyword by keyword.</summary>
public class OpenApiSchemaCheckTests
{
    private const string Document = """
        {"components": {"schemas": {
          "Item": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "integer", "format": "int64"},
            "name": {"type": ["null", "string"]},
            "count": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10},
            "status": {"type": "string", "enum": ["on", "off"]},
            "at": {"type": "string", "format": "date-time"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "extra": {"type": "object", "additionalProperties": {"type": "string"}},
            "any": {},
            "parent": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Item"}]}}},
          "Odd": {"type": "object", "if": {}}}}}
        """;

    private static List<string> Check(string value, string schema = """{"$ref": "#/components/schemas/Item"}""", bool strict = true)
    {
        using var document = JsonDocument.Parse(Document);
        using var s = JsonDocument.Parse(schema);
        using var v = JsonDocument.Parse(value);
        return new SchemaCheck(document.RootElement, strict).Check(s.RootElement, v.RootElement);
    }

    [Theory]
    [InlineData("""{"id": 1, "name": null}""")]
    [InlineData("""{"id": 1.0, "name": "a", "count": 10, "status": "on", "at": "2026-12-03T08:00:00.123Z", "tags": [], "extra": {"a": "b"}, "any": [1, {}]}""")]
    [InlineData("""{"id": 1, "name": "a", "parent": {"id": 2, "name": null, "parent": null}}""")]
    public void A_value_the_schema_describes_passes(string value) => Assert.Empty(Check(value));

    [Theory]
    [InlineData("""{"name": "a"}""", "$: the required id is missing")]
    [InlineData("""{"id": "1", "name": "a"}""", "$.id: the string \"1\" where the schema wants \"integer\"")]
    [InlineData("""{"id": 1.5, "name": "a"}""", "$.id: the number 1.5 where the schema wants \"integer\"")]
    [InlineData("""{"id": 9223372036854775808, "name": "a"}""", "$.id: 9223372036854775808 is not an int64")]
    [InlineData("""{"id": 1, "name": 2}""", "$.name: the number 2 where the schema wants [\"null\", \"string\"]")]
    [InlineData("""{"id": 1, "name": "a", "count": 11}""", "$.count: 11 is above the maximum 10")]
    [InlineData("""{"id": 1, "name": "a", "count": -1}""", "$.count: -1 is below the minimum 0")]
    [InlineData("""{"id": 1, "name": "a", "status": "maybe"}""", "$.status: \"maybe\" is not one of [\"on\", \"off\"]")]
    [InlineData("""{"id": 1, "name": "a", "at": "2026-12-03 08:00"}""", "$.at: 2026-12-03 08:00 is not a date-time")]
    [InlineData("""{"id": 1, "name": "a", "tags": ["a", 1]}""", "$.tags[1]: the number 1 where the schema wants \"string\"")]
    [InlineData("""{"id": 1, "name": "a", "extra": {"a": 1}}""", "$.extra.a: the number 1 where the schema wants \"string\"")]
    [InlineData("""{"id": 1, "name": "a", "parent": {"id": 2}}""", "$.parent: {\"id\": 2} matches 0 of oneOf, not exactly one")]
    [InlineData("""{"id": 1, "name": "a", "surprise": true}""", "$.surprise: not declared in the schema")]
    [InlineData("[]", "$: an array where the schema wants \"object\"")]
    public void What_is_off_is_named_with_its_path(string value, string error) => Assert.Contains(error, Check(value));

    [Fact]
    public void An_undeclared_field_passes_when_not_strict_as_JSON_Schema_has_it() =>
        Assert.Empty(Check("""{"id": 1, "name": "a", "surprise": true}""", strict: false));

    [Fact]
    public void A_keyword_the_checker_does_not_know_is_refused_rather_than_passed() =>
        Assert.Throws<NotSupportedException>(() => Check("{}", """{"$ref": "#/components/schemas/Odd"}"""));
}
