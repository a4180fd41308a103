using System.Text.Json;

namespace Switchboard.Events;

/// <summary>Moving through the JSON: fields, items, and reading one value into a <see cref="Field"/>.</summary>
internal ref partial struct EventReader
{
    /// <summary>Moves to the next field of the current object; false at its end.</summary>
    private bool NextField(out FieldName name)
    {
        _json.Read();
        if (_json.TokenType == JsonTokenType.EndObject)
        {
            name = FieldName.Unknown;
            return false;
        }
        name = _field = _json.ValueIsEscaped ? EscapedName() : FieldNames.Find(_json.ValueSpan);
        return true;
    }

    /// <summary>"\u0075uid" is uuid: names are compared unescaped, as the serializer did.</summary>
    private FieldName EscapedName()
    {
        Span<byte> name = stackalloc byte[FieldNames.LongestEscaped];
        if (_json.ValueSpan.Length > name.Length)
        {
            return FieldName.Unknown;
        }
        try
        {
            return FieldNames.Find(name[.._json.CopyString(name)]);
        }
        catch (InvalidOperationException)
        {
            return FieldName.Unknown; // an escaped lone surrogate, in no name of the format
        }
    }

    /// <summary>Moves to the next item of the current array; false at its end.</summary>
    private bool NextItem()
    {
        _json.Read();
        return _json.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>Moves to the value of the current field.</summary>
    private Field Begin()
    {
        _json.Read();
        return new Field(_json.TokenType);
    }

    /// <summary>The value the reader is on: an array item.</summary>
    private Field Current() => new(_json.TokenType);

    /// <summary>Moves past a value whose kind is all that matters.</summary>
    private Field Skipped(Field field)
    {
        _json.Skip();
        return field;
    }

    /// <summary>The value of the current field: a string's text, a number's value; only the kind of anything else.</summary>
    private Field Value(string path)
    {
        var field = Begin();
        switch (field.Kind)
        {
            case JsonTokenType.String:
                field.IsEmpty = _json.ValueSpan.Length == 0;
                field.BadText = !TryGetText(out field.Text);
                if (field.BadText)
                {
                    TextError(FieldRules.Join(path, FieldNames.Text(_field)), FieldRules.NotText);
                }
                break;
            case JsonTokenType.Number:
                field.IsInteger = _json.TryGetInt64(out field.Number);
                if (!field.IsInteger)
                {
                    field.Shown = FieldRules.QuoteNumber(_json.ValueSpan);
                }
                break;
            default:
                _json.Skip();
                break;
        }
        return field;
    }

    /// <summary>The value of the current field, matched against a closed set without decoding it.</summary>
    private Field OneOf(ClosedSet set)
    {
        var field = Begin();
        if (field.Kind != JsonTokenType.String)
        {
            return Skipped(field);
        }
        field.IsEmpty = _json.ValueSpan.Length == 0;
        field.Position = set.Find(ref _json);
        if (field.Position < 0)
        {
            field.BadText = !TryGetText(out var text);
            field.Shown = field.BadText ? null : FieldRules.Quote(text);
        }
        return field;
    }

    /// <summary>
    /// A field this library does not know, kept by its name so that it is written back
    /// (events.md: unknown fields a producer put inside data are passed through unchanged).
    /// </summary>
    private void Keep(ref Dictionary<string, JsonElement>? extra, string path)
    {
        var named = TryGetName(out var name);
        if (!named)
        {
            TextError(path.Length == 0 ? "$" : path, "has a field name that " + FieldRules.NotText);
        }
        _json.Read();
        var value = JsonElement.ParseValue(ref _json);
        if (named)
        {
            // A repeated name keeps its last value, like every other field.
            (extra ??= [])[name] = value;
        }
    }

    /// <summary>
    /// An unknown field of a data object. One named data_type is dropped rather than kept: the
    /// serializer that read data objects before this reader matched it to the ignored
    /// <see cref="EventData.DataType"/>, and what was accepted then still reads the same.
    /// </summary>
    private void KeepInData(FieldName name, ref Dictionary<string, JsonElement>? extra, string path)
    {
        if (name == FieldName.DataType)
        {
            _json.Skip();
        }
        else
        {
            Keep(ref extra, path);
        }
    }

    /// <summary>
    /// The current field's name. Bytes that are not UTF-8 become U+FFFD, as they did in the
    /// serializer that read data objects before; an escaped lone surrogate has no name.
    /// </summary>
    private bool TryGetName(out string name)
    {
        if (_json.ValueIsEscaped)
        {
            return TryGetText(out name);
        }
        name = System.Text.Encoding.UTF8.GetString(_json.ValueSpan);
        return true;
    }

    private bool TryGetText(out string text)
    {
        try
        {
            text = _json.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>
    /// A string that cannot be decoded. It is reported only when nothing else is wrong: the rules
    /// never looked at such text, only building the model did, and only for valid events.
    /// </summary>
    private void TextError(string path, string message) => (_textErrors ??= []).Add(new ValidationError(path, message));
}
