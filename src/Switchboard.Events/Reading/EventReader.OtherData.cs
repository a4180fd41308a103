using System.Text.Json;

namespace Switchboard.Events;

/// <summary>Reading the smaller data objects: call-log, recording, api-error and listener-callback (events.md, tags.md).</summary>
internal ref partial struct EventReader
{
    private Field CallLog(Field field, string path)
    {
        Field uuid = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Uuid: uuid = Value(path); break;
                default: KeepInData(name, ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(uuid, path, "uuid");

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new CallLogData { Uuid = uuid.Text!, Extra = extra };
        return field;
    }

    private Field Recording(Field field, string path)
    {
        Field uuid = default, type = default, size = default, duration = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Uuid: uuid = Value(path); break;
                case FieldName.Type: type = OneOf(ClosedSet.RecordingType); break;
                case FieldName.Size: size = Value(path); break;
                case FieldName.Duration: duration = Value(path); break;
                default: KeepInData(name, ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(uuid, path, "uuid");
        var kind = rules.OneOf(type, path, "type", ClosedSet.RecordingType);
        rules.Integer(size, path, "size", min: 0);
        rules.Integer(duration, path, "duration", min: 0);

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new RecordingData
        {
            Uuid = uuid.Text!,
            Type = (RecordingType)kind,
            Size = size.Number,
            Duration = duration.Number,
            Extra = extra,
        };
        return field;
    }

    private Field ApiError(Field field, string path)
    {
        Field error = default, request = default, response = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Error: error = Value(path); break;
                case FieldName.Request: request = Request(Begin(), FieldRules.Join(path, "request")); break;
                case FieldName.Response: response = Response(Begin(), FieldRules.Join(path, "response")); break;
                default: KeepInData(name, ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(error, path, "error", nonEmpty: false);
        if (rules.Object(request, path, "request", nullable: false))
        {
            rules.AddAll(request.Errors);
        }
        if (rules.Object(response, path, "response", nullable: false))
        {
            rules.AddAll(response.Errors);
        }

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new ApiErrorData
        {
            Error = error.Text!,
            Request = (ApiErrorRequest)request.Value!,
            Response = (ApiErrorResponse)response.Value!,
            Extra = extra,
        };
        return field;
    }

    private Field Request(Field field, string path)
    {
        if (field.Kind != JsonTokenType.StartObject)
        {
            return Skipped(field);
        }
        Field method = default, url = default, bodySize = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Method: method = Value(path); break;
                case FieldName.Url: url = Value(path); break;
                case FieldName.BodySize: bodySize = Value(path); break;
                default: Keep(ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.String(method, path, "method");
        rules.String(url, path, "url");
        rules.Integer(bodySize, path, "body_size", min: 0);

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new ApiErrorRequest { Method = method.Text!, Url = url.Text!, BodySize = bodySize.Number, Extra = extra };
        return field;
    }

    private Field Response(Field field, string path)
    {
        if (field.Kind != JsonTokenType.StartObject)
        {
            return Skipped(field);
        }
        Field status = default, payload = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.Status: status = Value(path); break;
                case FieldName.Payload: payload = Value(path); break;
                default: Keep(ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.Integer(status, path, "status", min: 100, max: 599);
        rules.String(payload, path, "payload", nonEmpty: false);

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new ApiErrorResponse { Status = (int)status.Number, Payload = payload.Text!, Extra = extra };
        return field;
    }

    private Field ListenerCallback(Field field, string path)
    {
        Field listenerId = default, callbackId = default, reason = default;
        Dictionary<string, JsonElement>? extra = null;
        while (NextField(out var name))
        {
            switch (name)
            {
                case FieldName.ListenerId: listenerId = Value(path); break;
                case FieldName.CallbackId: callbackId = Value(path); break;
                case FieldName.Reason: reason = Value(path); break;
                default: KeepInData(name, ref extra, path); break;
            }
        }

        var rules = new FieldRules();
        rules.Integer(listenerId, path, "listener_id", min: 0);
        rules.Integer(callbackId, path, "callback_id", min: 0);
        rules.String(reason, path, "reason");

        field.Errors = rules.Errors;
        field.Value = rules.HasErrors ? null : new ListenerCallbackData
        {
            ListenerId = listenerId.Number,
            CallbackId = callbackId.Number,
            Reason = reason.Text!,
            Extra = extra,
        };
        return field;
    }
}
