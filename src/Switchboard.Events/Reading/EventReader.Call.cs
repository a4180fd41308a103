using System.Text.Json;

namespace Switchboard.Events;

/// <summary>Reading <c>data_type = "call"</c>: the call, its legs and their participants (events.md).</summary>
internal ref partial struct EventReader
{
    private Field Call(Field field, string path)
    {
        Field uuid = default, direction = default, eventLeg = default, firstLeg = default;
        JsonTokenType eventLegIsFirst = default, firstLegIsFirst = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Uuid: uuid = Value(path); break;
                case FieldName.Direction: direction = OneOf(ClosedSet.Direction); break;
                case FieldName.EventLeg: eventLeg = Leg(Begin(), FieldRules.Join(path, "event_leg"), isEventLeg: true, out eventLegIsFirst); break;
                case FieldName.FirstLeg: firstLeg = Leg(Begin(), FieldRules.Join(path, "first_leg"), isEventLeg: false, out firstLegIsFirst); break;
                default: KeepInData(name, ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(uuid, path, "uuid");
        var way = rules.OneOf(direction, path, "direction", ClosedSet.Direction);
        var eventLegIsTheFirst = false;
        if (rules.Object(eventLeg, path, "event_leg", nullable: false))
        {
            rules.AddAll(eventLeg.Errors);
            eventLegIsTheFirst = eventLegIsFirst == JsonTokenType.True;
        }
        if (rules.Object(firstLeg, path, "first_leg", nullable: true))
        {
            var firstPath = FieldRules.Join(path, "first_leg");
            if (eventLegIsTheFirst)
            {
                rules.Add(firstPath, "must be null when event_leg is the first leg");
            }
            else
            {
                rules.AddAll(firstLeg.Errors);
                if (firstLegIsFirst == JsonTokenType.False)
                {
                    rules.Add(FieldRules.Join(firstPath, "is_first"), "must be true for the first leg");
                }
            }
        }

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new CallData
        {
            Uuid = uuid.Text!,
            Direction = (Direction)way,
            EventLeg = (Leg)eventLeg.Value!,
            FirstLeg = (Leg?)firstLeg.Value,
            Extra = extra,
        };
        return field;
    }

    /// <summary>A leg; <paramref name="isFirst"/> is the kind of its is_first, which the call checks against the other leg.</summary>
    private Field Leg(Field field, string path, bool isEventLeg, out JsonTokenType isFirst)
    {
        isFirst = JsonTokenType.None;
        if (field.Kind != JsonTokenType.StartObject)
        {
            return Skipped(field);
        }
        Field uuid = default, from = default, to = default, first = default, state = default, status = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Uuid: uuid = Value(path); break;
                case FieldName.From: from = Participant(Begin(), FieldRules.Join(path, "from"), ClosedSet.ParticipantType); break;
                case FieldName.To: to = Participant(Begin(), FieldRules.Join(path, "to"), ClosedSet.ParticipantType); break;
                case FieldName.IsFirst: first = Value(path); break;
                case FieldName.State: state = OneOf(ClosedSet.LegState); break;
                case FieldName.CompletionStatus: status = OneOf(ClosedSet.CompletionStatus); break;
                default: Keep(ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(uuid, path, "uuid");
        if (rules.Object(from, path, "from", nullable: false))
        {
            rules.AddAll(from.Errors);
        }
        if (rules.Object(to, path, "to", nullable: false))
        {
            rules.AddAll(to.Errors);
        }
        rules.Boolean(first, path, "is_first");
        // The event leg is what the event reports, so it must say its state;
        // first_leg only identifies the main leg and carries nulls (events.md).
        var legState = rules.OneOf(state, path, "state", ClosedSet.LegState, nullable: !isEventLeg);
        var completion = rules.OneOf(status, path, "completion_status", ClosedSet.CompletionStatus, nullable: true);
        if (completion >= 0 && legState >= 0 && legState != (int)LegState.Completed)
        {
            rules.Add(FieldRules.Join(path, "completion_status"), "must be null until state is completed");
        }
        if (isEventLeg && legState == (int)LegState.Completed && status.Kind == JsonTokenType.Null)
        {
            rules.Add(FieldRules.Join(path, "completion_status"), "is required once state is completed");
        }

        isFirst = first.Kind;
        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new Leg
        {
            Uuid = uuid.Text!,
            From = (Participant)from.Value!,
            To = (Participant)to.Value!,
            IsFirst = first.Kind == JsonTokenType.True,
            State = legState >= 0 ? (LegState)legState : null,
            CompletionStatus = completion >= 0 ? (CompletionStatus)completion : null,
            Extra = extra,
        };
        return field;
    }

    /// <summary>A call or message party; which fields it has depends on its type (events.md, participant).</summary>
    private Field Participant(Field field, string path, ClosedSet types)
    {
        if (field.Kind != JsonTokenType.StartObject)
        {
            return Skipped(field);
        }
        Field type = default, id = default, line = default, domain = default, extensionId = default, extension = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Type: type = OneOf(types); break;
                case FieldName.Id: id = Value(path); break;
                case FieldName.Line: line = Value(path); break;
                case FieldName.Domain: domain = Value(path); break;
                case FieldName.ExtensionId: extensionId = Value(path); break;
                case FieldName.Extension: extension = Value(path); break;
                default: Keep(ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        var kind = rules.OneOf(type, path, "type", types);
        switch ((ParticipantType)kind)
        {
            case ParticipantType.Did:
                rules.E164(id, path, "id");
                const string did = "for a did participant";
                rules.Absent(line, path, "line", did);
                rules.Absent(domain, path, "domain", did);
                rules.Absent(extensionId, path, "extension_id", did);
                rules.Absent(extension, path, "extension", did);
                break;
            case ParticipantType.Device:
                rules.Integer(id, path, "id", min: 0);
                rules.Integer(line, path, "line", min: 0);
                rules.String(domain, path, "domain");
                rules.Integer(extensionId, path, "extension_id", min: 0);
                rules.Integer(extension, path, "extension", min: 0);
                break;
            case ParticipantType.Extension:
                rules.Integer(id, path, "id", min: 0);
                rules.Integer(extensionId, path, "extension_id", min: 0);
                rules.Integer(extension, path, "extension", min: 0);
                const string ext = "for an extension participant";
                rules.Absent(line, path, "line", ext);
                rules.Absent(domain, path, "domain", ext);
                break;
            default:
                // Without a known type the kind of id cannot be checked; still insist it is there.
                rules.Required(id, path, "id");
                break;
        }

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new Participant
        {
            Type = (ParticipantType)kind,
            Id = id.Kind == JsonTokenType.String ? ParticipantId.Of(id.Text!) : ParticipantId.Of(id.Number),
            Line = line.Kind == JsonTokenType.Number ? line.Number : null,
            Domain = domain.Kind == JsonTokenType.String ? domain.Text : null,
            ExtensionId = extensionId.Kind == JsonTokenType.Number ? extensionId.Number : null,
            Extension = extension.Kind == JsonTokenType.Number ? extension.Number : null,
            Extra = extra,
        };
        return field;
    }
}
