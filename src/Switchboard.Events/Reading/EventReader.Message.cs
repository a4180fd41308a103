using System.Text.Json;

namespace Switchboard.Events;

/// <summary>Reading <c>data_type = "message"</c>: an SMS or MMS, its inbox, recipients and media (events.md).</summary>
internal ref partial struct EventReader
{
    private Field Message(Field field, string path)
    {
        Field uuid = default, direction = default, state = default, inbox = default, from = default, to = default,
            type = default, message = default, media = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Uuid: uuid = Value(path); break;
                case FieldName.Direction: direction = OneOf(ClosedSet.Direction); break;
                case FieldName.State: state = Value(path); break;
                case FieldName.Inbox: inbox = Inbox(Begin(), FieldRules.Join(path, "inbox")); break;
                case FieldName.From: from = Participant(Begin(), FieldRules.Join(path, "from"), ClosedSet.DidOnly); break;
                case FieldName.To: to = Recipients(Begin(), FieldRules.Join(path, "to")); break;
                case FieldName.Type: type = OneOf(ClosedSet.MessageType); break;
                case FieldName.Message: message = Value(path); break;
                case FieldName.Media: media = Media(Begin(), FieldRules.Join(path, "media")); break;
                default: KeepInData(name, ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(uuid, path, "uuid");
        var way = rules.OneOf(direction, path, "direction", ClosedSet.Direction);
        rules.String(state, path, "state");
        if (rules.Object(inbox, path, "inbox", nullable: false))
        {
            rules.AddAll(inbox.Errors);
        }
        if (rules.Object(from, path, "from", nullable: false))
        {
            rules.AddAll(from.Errors);
        }
        if (rules.Array(to, path, "to"))
        {
            if (to.Count == 0)
            {
                rules.Add(FieldRules.Join(path, "to"), "must name at least one recipient");
            }
            rules.AddAll(to.Errors);
        }
        var kind = rules.OneOf(type, path, "type", ClosedSet.MessageType);
        rules.String(message, path, "message", nonEmpty: false);
        if (rules.Array(media, path, "media"))
        {
            if (kind == (int)MessageType.Sms && media.Count > 0)
            {
                rules.Add(FieldRules.Join(path, "media"), "must be empty for an sms");
            }
            rules.AddAll(media.Errors);
        }

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new MessageData
        {
            Uuid = uuid.Text!,
            Direction = (Direction)way,
            State = state.Text!,
            Inbox = (Inbox)inbox.Value!,
            From = (Participant)from.Value!,
            To = (List<Participant>)to.Value!,
            Type = (MessageType)kind,
            Message = message.Text!,
            Media = (List<Media>)media.Value!,
            Extra = extra,
        };
        return field;
    }

    private Field Inbox(Field field, string path)
    {
        if (field.Kind != JsonTokenType.StartObject)
        {
            return Skipped(field);
        }
        Field id = default, extensionId = default, did = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Id: id = Value(path); break;
                case FieldName.ExtensionId: extensionId = Value(path); break;
                case FieldName.Did: did = Value(path); break;
                default: Keep(ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.Integer(id, path, "id", min: 0);
        rules.Integer(extensionId, path, "extension_id", min: 0, nullable: true);
        rules.E164(did, path, "did");

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new Inbox
        {
            Id = id.Number,
            ExtensionId = extensionId.Kind == JsonTokenType.Number ? extensionId.Number : null,
            Did = did.Text!,
            Extra = extra,
        };
        return field;
    }

    /// <summary>The message's <c>to</c>: phone numbers, at least one.</summary>
    private Field Recipients(Field field, string path) => ObjectList<Participant>(field, path);

    private Field Media(Field field, string path) => ObjectList<Media>(field, path);

    /// <summary>An array of objects, each read as a <typeparamref name="T"/> (a recipient or an attachment).</summary>
    private Field ObjectList<T>(Field field, string path)
        where T : class
    {
        if (field.Kind != JsonTokenType.StartArray)
        {
            return Skipped(field);
        }
        var rules = new FieldRules();
        var items = new List<T>();
        var i = 0;
        while (NextItem())
        {
            var itemPath = $"{path}[{i++}]";
            var item = Current();
            if (item.Kind != JsonTokenType.StartObject)
            {
                rules.Add(itemPath, $"must be an object, not {FieldRules.Describe(item.Kind)}");
                _json.Skip();
                continue;
            }
            item = typeof(T) == typeof(Media) ? Attachment(item, itemPath) : Participant(item, itemPath, ClosedSet.DidOnly);
            rules.AddAll(item.Errors);
            if (item.Value is T value)
            {
                items.Add(value);
            }
        }

        field.Count = i;
        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : items;
        return field;
    }

    private Field Attachment(Field field, string path)
    {
        Field url = default, type = default, size = default, filename = default, thumbnail = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Url: url = Value(path); break;
                case FieldName.Type: type = Value(path); break;
                case FieldName.Size: size = Value(path); break;
                case FieldName.Filename: filename = Value(path); break;
                case FieldName.Thumbnail: thumbnail = Value(path); break;
                default: Keep(ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(url, path, "url");
        rules.String(type, path, "type");
        rules.Integer(size, path, "size", min: 0);
        rules.String(filename, path, "filename", nonEmpty: false);
        rules.String(thumbnail, path, "thumbnail", nullable: true);

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new Media
        {
            Url = url.Text!,
            Type = type.Text!,
            Size = size.Number,
            Filename = filename.Text!,
            Thumbnail = thumbnail.Kind == JsonTokenType.String ? thumbnail.Text : null,
            Extra = extra,
        };
        return field;
    }
}
