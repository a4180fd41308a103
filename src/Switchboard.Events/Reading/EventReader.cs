using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// The strict reader: one pass over the UTF-8 bytes that checks every rule of events.md and
/// builds the model as it goes (issue 16: it used to parse twice, into a JsonDocument to check
/// the rules and again with the serializer to build the model). Invalid input never throws; only
/// input that is not JSON at all ends in a <see cref="JsonException"/>, which the caller turns
/// into one error.
/// </summary>
internal ref partial struct EventReader
{
    private readonly ReadOnlySpan<byte> _utf8;
    private Utf8JsonReader _json;

    /// <summary>The name of the field being read, for naming it in a text error.</summary>
    private FieldName _field;

    /// <summary>Strings that could not be decoded, reported only when nothing else is wrong.</summary>
    private List<ValidationError>? _textErrors;

    public EventReader(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        _utf8 = utf8;
        _json = new Utf8JsonReader(utf8, options);
    }

    /// <summary>Reads the one event the input holds.</summary>
    public ReadResult<Event> ReadEvent()
    {
        var root = Begin();
        if (root.Kind != JsonTokenType.StartObject)
        {
            Skipped(root);
            _json.Read(); // throws when something follows the value
            return ReadResult<Event>.Invalid([new ValidationError("$", $"must be an object, not {FieldRules.Describe(root.Kind)}")]);
        }
        var envelope = Envelope(root);
        _json.Read(); // throws when something follows the event
        return Result<Event>(envelope);
    }

    /// <summary>Reads a bare data object of the given type; <paramref name="path"/> prefixes the paths of the errors.</summary>
    public ReadResult<EventData> ReadData(DataType type, string path)
    {
        var data = Data(Begin(), type, path);
        return Result<EventData>(data);
    }

    private readonly ReadResult<T> Result<T>(in Field field)
        where T : class =>
        field.Errors is { } errors ? ReadResult<T>.Invalid(errors)
        : _textErrors is { } textErrors ? ReadResult<T>.Invalid(textErrors)
        : ReadResult<T>.Valid((T)field.Value!);

    /// <summary>The event's own fields (events.md, Envelope), checked in the order given there.</summary>
    private Field Envelope(Field field)
    {
        Field uuid = default, version = default, listenerId = default, context = default, timestamp = default,
            timestampNs = default, tags = default, dataType = default, dataObjectUuid = default, data = default;
        Dictionary<string, JsonElement>? extra = null;
        Range dataBytes = default;
        var dataReadAs = -1;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Uuid: uuid = Value(""); break;
                case FieldName.Version: version = OneOf(ClosedSet.Version); break;
                case FieldName.ListenerId: listenerId = Value(""); break;
                case FieldName.Context: context = Context(Begin()); break;
                case FieldName.Timestamp: timestamp = Value(""); break;
                case FieldName.TimestampNs: timestampNs = Value(""); break;
                case FieldName.Tags: tags = Tags(Begin()); break;
                case FieldName.DataType: dataType = OneOf(ClosedSet.DataType); break;
                case FieldName.DataObjectUuid: dataObjectUuid = Value(""); break;
                case FieldName.Data:
                    data = Begin();
                    var start = (int)_json.TokenStartIndex;
                    // data is read by its data_type, which producers write first; when the type
                    // comes later (or comes again), data is read from its bytes once it is known.
                    dataReadAs = data.Kind == JsonTokenType.StartObject ? dataType.Position : -1;
                    data = dataReadAs >= 0 ? Data(data, (DataType)dataReadAs, "data") : Skipped(data);
                    dataBytes = start..(int)_json.BytesConsumed;
                    break;
                default: Keep(ref extra, ""); break;
            }
        }
        if (data.Kind == JsonTokenType.StartObject && dataType.Position >= 0 && dataType.Position != dataReadAs)
        {
            data = DataAgain(dataBytes, (DataType)dataType.Position);
        }

        const string p = "";
        var rules = new FieldRules();
        rules.String(uuid, p, "uuid");
        if (rules.String(version, p, "version") && version.Position < 0)
        {
            rules.Add("version", version.BadText ? FieldRules.NotText : $"{version.Shown} is not a supported version ({Event.CurrentVersion})");
        }
        rules.Integer(listenerId, p, "listener_id", min: 0);
        if (rules.Object(context, p, "context", nullable: false))
        {
            rules.AddAll(context.Errors);
        }
        var hasSeconds = rules.Integer(timestamp, p, "timestamp", min: 0);
        var hasNanos = rules.Integer(timestampNs, p, "timestamp_ns", min: 0);
        var (seconds, nanos) = (timestamp.Number, timestampNs.Number);
        if (hasSeconds && hasNanos && seconds != nanos / 1_000_000_000)
        {
            rules.Add("timestamp", $"must equal timestamp_ns / 1000000000 ({nanos / 1_000_000_000}), not {seconds}");
        }
        if (rules.Array(tags, p, "tags"))
        {
            rules.AddAll(tags.Errors);
        }
        var type = rules.OneOf(dataType, p, "data_type", ClosedSet.DataType);
        rules.String(dataObjectUuid, p, "data_object_uuid");
        if (rules.Object(data, p, "data", nullable: false) && type >= 0)
        {
            rules.AddAll(data.Errors);
        }

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new Event
        {
            Uuid = uuid.Text!,
            Version = Event.CurrentVersion, // the only version accepted
            ListenerId = listenerId.Number,
            Context = (EventContext)context.Value!,
            TimestampNs = timestampNs.Number, // timestamp is derived from it, and was checked equal
            Tags = (string[])tags.Value!,
            DataObjectUuid = dataObjectUuid.Text!,
            Data = (EventData)data.Value!,
            Extra = extra,
        };
        return field;
    }

    /// <summary>Reads a data object of the given type; the reader is on its start.</summary>
    private Field Data(Field field, DataType type, string path) => type switch
    {
        DataType.Call => Call(field, path),
        DataType.Message => Message(field, path),
        DataType.CallLog => CallLog(field, path),
        DataType.Recording => Recording(field, path),
        DataType.ApiError => ApiError(field, path),
        _ => ListenerCallback(field, path),
    };

    /// <summary>Reads data that came before its data_type, from its bytes, now that its type is known.</summary>
    private Field DataAgain(Range bytes, DataType type)
    {
        var again = new EventReader(_utf8[bytes], _json.CurrentState.Options);
        var data = again.Data(again.Begin(), type, "data");
        if (again._textErrors is { } textErrors)
        {
            (_textErrors ??= []).AddRange(textErrors);
        }
        return data;
    }

    /// <summary>Whose listener the event was rendered for (events.md, context).</summary>
    private Field Context(Field field)
    {
        if (field.Kind != JsonTokenType.StartObject)
        {
            return Skipped(field);
        }
        Field type = default, id = default, voipId = default;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Type: type = OneOf(ClosedSet.ContextType); break;
                case FieldName.Id: id = Value("context"); break;
                case FieldName.VoipId: voipId = Value("context"); break;
                default: _json.Skip(); break; // the model has no room for more, and never kept more
            }
        }

        const string p = "context";
        var rules = new FieldRules();
        var kind = rules.OneOf(type, p, "type", ClosedSet.ContextType);
        var hasId = rules.Integer(id, p, "id", min: 0);
        var hasVoipId = rules.Integer(voipId, p, "voip_id", min: 0);
        if (kind == (int)ContextType.Account && hasId && hasVoipId && id.Number != voipId.Number)
        {
            rules.Add("context.id", $"must equal context.voip_id ({voipId.Number}) for an account context, not {id.Number}");
        }

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new EventContext((ContextType)kind, id.Number, voipId.Number);
        return field;
    }

    /// <summary>The event's tags: each a known tag, kept as the tag list's own string.</summary>
    private Field Tags(Field field)
    {
        if (field.Kind != JsonTokenType.StartArray)
        {
            return Skipped(field);
        }
        var rules = new FieldRules();
        var tags = new List<string>(8);
        var i = 0;
        while (NextItem())
        {
            if (_json.TokenType != JsonTokenType.String)
            {
                rules.Add($"tags[{i}]", $"must be a string, not {FieldRules.Describe(_json.TokenType)}");
                _json.Skip();
            }
            else if (FindTag() is { } tag)
            {
                tags.Add(tag);
            }
            else
            {
                rules.Add($"tags[{i}]", TryGetText(out var text) ? $"{FieldRules.Quote(text)} is not a known tag" : FieldRules.NotText);
            }
            i++;
        }

        field.Count = i;
        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : tags.ToArray();
        return field;
    }

    /// <summary>The tag-list constant equal to the current string, or null when it is not a known tag.</summary>
    private string? FindTag() =>
        !_json.ValueIsEscaped ? Events.Tags.Find(_json.ValueSpan)
        : TryGetText(out var text) && Events.Tags.IsKnown(text) ? Events.Tags.Intern(text)
        : null;
}
