using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Switchboard.Api;

/// <summary>
/// The query of a list route for the document: <c>limit</c>, <c>offset</c> and one <c>filters[field]</c>
/// per field the route filters by (api.md, Lists), from the same table <see cref="Paging.Parse"/> checks
/// the request against, so the two cannot differ. <paramref name="Values"/> lists a field's allowed values.
/// </summary>
internal sealed record ListQuery(IReadOnlyDictionary<string, FilterKind> Filters, IReadOnlyDictionary<string, IReadOnlyList<string>> Values)
{
    public static Task AddParameters(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ListQuery>().FirstOrDefault() is not { } query)
        {
            return Task.CompletedTask;
        }
        operation.Parameters ??= [];
        operation.Parameters.Add(Parameter("limit", "Items per page, 1 to 500.", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "500", Default = 25 }));
        operation.Parameters.Add(Parameter("offset", "Items to skip, for the next pages.", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Default = 0 }));
        foreach (var (field, kind) in query.Filters)
        {
            var schema = kind switch
            {
                FilterKind.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
                FilterKind.Boolean => new OpenApiSchema { Type = JsonSchemaType.Boolean },
                _ => new OpenApiSchema { Type = JsonSchemaType.String },
            };
            if (query.Values.TryGetValue(field, out var values))
            {
                schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
            }
            operation.Parameters.Add(Parameter($"filters[{field}]", $"Only items whose {field} is this value.", schema));
        }
        return Task.CompletedTask;
    }

    private static OpenApiParameter Parameter(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema };
}

internal static class ListQueryExtensions
{
    /// <summary>Declares the list query of <paramref name="filters"/>; a bad limit, offset or filter is 422.</summary>
    public static RouteHandlerBuilder WithListQuery(this RouteHandlerBuilder route, IReadOnlyDictionary<string, FilterKind> filters, IReadOnlyDictionary<string, IReadOnlyList<string>>? values = null) =>
        route.WithMetadata(new ListQuery(filters, values ?? new Dictionary<string, IReadOnlyList<string>>())).WithErrors(StatusCodes.Status422UnprocessableEntity);
}
