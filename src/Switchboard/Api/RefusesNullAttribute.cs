namespace Switchboard.Api;

/// <summary>
/// On a field of a request record: it may be left out, but not given as null. Its C# type is nullable
/// only so that the record can leave it out; the document types it without null.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RefusesNullAttribute : Attribute;
