using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Switchboard.Api;

/// <summary>
/// <c>GET /openapi/v1.json</c>, the OpenAPI document of every route, and <c>GET /docs</c>, a
/// reference page rendered from it on the server (<see cref="ApiDocsPage"/>). The page is
/// embedded and loads nothing: the hub may run where there is no internet.
/// </summary>
internal static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/docs";

    /// <summary>The name <c>AddOpenApi</c> gives the document by default, the <c>v1</c> of its path.</summary>
    private const string DocumentName = "v1";

    /// <summary>What the token checks in front of every management route answer (EventBases.CheckScope).</summary>
    private static readonly int[] TokenStatuses = [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests];

    /// <summary>What reading a JSON body answers (JsonBody): not JSON 400, too large 413, another media type 415, a field wrong 422.</summary>
    private static readonly int[] BodyStatuses = [StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity];

    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        // Bodies are read by hand; the schemas come from the same source-generated contract the API writes with.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.Encoder = ApiJsonContext.Relaxed.Options.Encoder;
        });
        builder.Services.AddOpenApi(options => options.AddOperationTransformer(AddBaseParameters).AddOperationTransformer(ListQuery.AddParameters)
            .AddSchemaTransformer(ApiExamples.AddTo).AddSchemaTransformer(RefuseDisallowedNull).AddSchemaTransformer(DeclareAllowedValues).AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Switchboard management API",
                Version = "v4",
                Description = "Listeners, callbacks, subscriptions, filters, profiles and schedules of the Switchboard event hub. "
                    + "Every route exists at account level (/v4/accounts/{voip_id}/integrations/events) and extension level "
                    + "(/v4/accounts/{voip_id}/extensions/{extension_id}/integrations/events). Errors answer {\"@error\": {\"@message\", \"@httpStatusCode\", \"@time\", \"@fields\"}}.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token from switchboard tokens create." },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>
    /// The base's <c>voip_id</c> and <c>extension_id</c> are checked by the scope filter, not bound
    /// by handlers, so the generator does not see them: they are added from the route template.
    /// </summary>
    private static Task AddBaseParameters(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        var template = context.Description.RelativePath ?? "";
        foreach (var name in (string[])["extension_id", "voip_id"])
        {
            if ((template.Contains("{" + name + "}", StringComparison.Ordinal) || template.Contains("{" + name + ":", StringComparison.Ordinal)) && !operation.Parameters.Any(p => p.Name == name))
            {
                operation.Parameters.Insert(0, new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = name == "voip_id" ? "The account." : "The extension of the account.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
                });
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Microsoft.AspNetCore.OpenApi's mark (OpenApiConstants.NullableProperty) on a property of a nullable object type.</summary>
    private const string NullablePropertyMark = "x-is-nullable-property";

    /// <summary>An optional field that refuses null (<see cref="RefusesNullAttribute"/>) is typed without null.</summary>
    private static Task RefuseDisallowedNull(OpenApiSchema schema, Microsoft.AspNetCore.OpenApi.OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.IsDefined(typeof(RefusesNullAttribute), inherit: false) != true)
        {
            return Task.CompletedTask;
        }
        if (schema.Type is { } type)
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }
        // A nullable object property is only marked here; the generator writes it as oneOf null or the
        // object's $ref when it resolves references, after the transformers ran, unless the mark is gone.
        schema.Metadata?.Remove(NullablePropertyMark);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A string field the hub takes only a few values of (<see cref="System.ComponentModel.DataAnnotations.AllowedValuesAttribute"/>)
    /// lists them as its enum, so a generated client can offer them; the bodies are still checked by hand.
    /// </summary>
    private static Task DeclareAllowedValues(OpenApiSchema schema, Microsoft.AspNetCore.OpenApi.OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.AllowedValuesAttribute), inherit: false) is [System.ComponentModel.DataAnnotations.AllowedValuesAttribute allowed, ..])
        {
            schema.Enum = [.. allowed.Values.Select(value => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create((string)value!))];
        }
        return Task.CompletedTask;
    }

    /// <summary>Declares the token checks' answers on every route of a group, in the error envelope.</summary>
    public static TBuilder WithErrorEnvelope<TBuilder>(this TBuilder group)
        where TBuilder : IEndpointConventionBuilder => group.WithErrors(TokenStatuses);

    /// <summary>Declares error answers of a route, in the error envelope.</summary>
    public static TBuilder WithErrors<TBuilder>(this TBuilder route, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            route.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ApiErrorEnvelope), ["application/json"]));
        }
        return route;
    }

    /// <summary>A JSON body of <typeparamref name="T"/>, read by <see cref="JsonBody"/>, with the answers reading it may give.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder route)
        where T : notnull => route.Accepts<T>("application/json").WithErrors(BodyStatuses);

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).ExcludeFromDescription();
        var template = LoadTemplate();
        // Only the page's own style block may apply, and nothing may load or run: the page is plain HTML.
        var style = template[(template.IndexOf("<style>", StringComparison.Ordinal) + "<style>".Length)..template.IndexOf("</style>", StringComparison.Ordinal)];
        var policy = $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        // The document does not change while the hub runs: rendered once, on the first request.
        var page = new Lazy<Task<string>>(async () =>
        {
            var provider = app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
            var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);
            using var json = JsonDocument.Parse(await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, CancellationToken.None));
            return ApiDocsPage.Render(template, json.RootElement);
        });
        app.MapGet(PagePath, async (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = policy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return TypedResults.Text(await page.Value, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        return app;
    }

    private static string LoadTemplate()
    {
        using var stream = typeof(ApiDocs).Assembly.GetManifestResourceStream("Switchboard.Api.docs.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
