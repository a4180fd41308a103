using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Switchboard.Delivery;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A callback create body as the OpenAPI document shows it (bodies are read by hand, <see cref="CallbackInput"/>).</summary>
internal sealed record CallbackRequest(
    JsonElement Config, string? Name = null, long? FallbackCallbackId = null, long? ProfileId = null, bool Enabled = true,
    [property: RefusesNull, AllowedValues(CallbackMode.Https, CallbackMode.Http, CallbackMode.Email, CallbackMode.Application)] string? Mode = null);

/// <summary>A callback update body: only the fields given change; <c>config</c> is replaced as a whole.</summary>
internal sealed record CallbackChange(
    string? Name = null, long? FallbackCallbackId = null, long? ProfileId = null, [property: RefusesNull] bool? Enabled = null,
    [property: RefusesNull, AllowedValues(CallbackMode.Https, CallbackMode.Http, CallbackMode.Email, CallbackMode.Application)] string? Mode = null, [property: RefusesNull] JsonElement? Config = null);

/// <summary>What a callback body asks for, checked: the row to store (id 0 when new) and the HTTP config to verify.</summary>
internal sealed record CallbackDraft(Callback Row, HttpCallbackConfig? Http);

/// <summary>Callback create and update bodies, checked field by field (api.md, Callbacks).</summary>
internal static class CallbackInput
{
    public static readonly string[] Fields = ["name", "fallback_callback_id", "profile_id", "enabled", "mode", "config"];

    /// <summary>A create body; <paramref name="extraFields"/> are allowed and left to the caller (the express create's <c>:profile</c>).</summary>
    public static CallbackDraft? ReadCreate(JsonElement body, Owner owner, FieldErrors errors, params string[] extraFields)
    {
        errors.RejectUnknown(body, [.. Fields, .. extraFields]);
        var name = errors.String(body, "name", required: false, nullable: true, maxLength: 255);
        var fallback = errors.Integer(body, "fallback_callback_id", required: false, nullable: true, min: 1);
        var profile = errors.Integer(body, "profile_id", required: false, nullable: true, min: 1);
        var enabled = errors.Boolean(body, "enabled", required: false) ?? true;
        var mode = errors.OneOf(body, "mode", required: false, CallbackMode.All);
        var config = errors.Object(body, "config", required: true);
        var modeBroken = FieldErrors.Has(body, "mode") && mode is null;
        var checkedConfig = config is null || modeBroken ? null : CallbackConfigInput.Read(config.Value, mode, errors, previous: null);
        if (errors.Any || checkedConfig is null)
        {
            return null;
        }
        return new CallbackDraft(
            new Callback(0, owner.VoipId, owner.ExtensionId, fallback, name, profile, enabled, checkedConfig.Mode, checkedConfig.Config),
            checkedConfig.Http);
    }

    /// <summary>
    /// An update body over <paramref name="existing"/>: fields one by one, <c>config</c> as a whole
    /// (api.md). <see cref="CallbackDraft.Http"/> is set only when the URL must be verified again:
    /// a new HTTP(S) callback, or a changed url, method or headers.
    /// </summary>
    public static CallbackDraft? ReadUpdate(JsonElement body, Callback existing, FieldErrors errors)
    {
        errors.RejectUnknown(body, Fields);
        var name = FieldErrors.Has(body, "name") ? errors.String(body, "name", required: false, nullable: true, maxLength: 255) : existing.Name;
        var fallback = FieldErrors.Has(body, "fallback_callback_id") ? errors.Integer(body, "fallback_callback_id", required: false, nullable: true, min: 1) : existing.FallbackCallbackId;
        var profile = FieldErrors.Has(body, "profile_id") ? errors.Integer(body, "profile_id", required: false, nullable: true, min: 1) : existing.ProfileId;
        var enabled = errors.Boolean(body, "enabled", required: false) ?? existing.Enabled;
        var mode = errors.OneOf(body, "mode", required: false, CallbackMode.All);
        CheckedConfig? checkedConfig;
        if (FieldErrors.Has(body, "mode") && mode is null)
        {
            checkedConfig = null;
        }
        else if (FieldErrors.Has(body, "config"))
        {
            var config = errors.Object(body, "config", required: true);
            checkedConfig = config is null ? null : CallbackConfigInput.Read(config.Value, mode, errors, existing.Config);
        }
        else if (mode is not null && mode != existing.Mode)
        {
            if (!CallbackConfigInput.Fits(mode, existing.Config))
            {
                errors.Add("mode", $"does not fit the stored {existing.Mode} config; send a config for {mode} with it");
                checkedConfig = null;
            }
            else
            {
                // HTTP ↔ HTTPS: the stored config must still be valid for the new mode.
                checkedConfig = CallbackConfigInput.Read(existing.Config, mode, errors, existing.Config);
            }
        }
        else
        {
            checkedConfig = new CheckedConfig(existing.Mode, existing.Config, null);
        }
        if (errors.Any || checkedConfig is null)
        {
            return null;
        }
        var row = existing with { Name = name, FallbackCallbackId = fallback, ProfileId = profile, Enabled = enabled, Mode = checkedConfig.Mode, Config = checkedConfig.Config };
        return new CallbackDraft(row, NeedsVerification(existing, checkedConfig) ? checkedConfig.Http : null);
    }

    private static bool NeedsVerification(Callback existing, CheckedConfig updated)
    {
        if (updated.Http is null)
        {
            return false;
        }
        if (!CallbackMode.IsHttp(existing.Mode))
        {
            return true;
        }
        var before = JsonSerializer.Deserialize(existing.Config, CallbackConfigJsonContext.Default.HttpCallbackConfig)!;
        return before.Url != updated.Http.Url || before.Method != updated.Http.Method
            || !(before.Headers ?? []).SequenceEqual(updated.Http.Headers ?? []);
    }
}
