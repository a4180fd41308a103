using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Switchboard.Events.AspNetCore;

/// <summary>Receiving Switchboard events in an ASP.NET Core app.</summary>
public static class SwitchboardWebhookExtensions
{
    /// <summary>The category of everything the endpoints log.</summary>
    public const string LogCategory = "Switchboard.Events.AspNetCore";

    // delivery.md: POST, PUT and PATCH carry the event as the body, GET and DELETE in the query.
    private static readonly string[] Methods = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Get, HttpMethods.Delete];

    /// <summary>
    /// Adds what <c>MapSwitchboardWebhook</c> needs, with <see cref="SwitchboardWebhookOptions"/>
    /// bound from the configuration section <c>Switchboard:Webhooks</c> and then given to
    /// <paramref name="configure"/>. Invalid options stop the app at start-up, naming the setting.
    /// </summary>
    public static IServiceCollection AddSwitchboardWebhooks(this IServiceCollection services, Action<SwitchboardWebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SwitchboardWebhookOptions>().BindConfiguration(SwitchboardWebhookOptions.Section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardWebhookOptions>, SwitchboardWebhookOptionsValidator>());
        services.TryAddSingleton(new SwitchboardWebhooksAdded());
        return services;
    }

    /// <summary>
    /// Receives Switchboard events at <paramref name="pattern"/>: checks the signature, answers the
    /// hub's verification request, reads the event strictly and calls <paramref name="handler"/> once
    /// per event <c>uuid</c>. The handler returning means handled (<c>200</c>); throwing means not
    /// (<c>500</c>, and the hub retries). <paramref name="configure"/> changes the app's options
    /// (from <c>AddSwitchboardWebhooks</c>) for this endpoint only.
    /// </summary>
    /// <returns>The endpoint's builder, for <c>RequireHost</c>, <c>RequireAuthorization</c>, rate limiting, …</returns>
    public static IEndpointConventionBuilder MapSwitchboardWebhook(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern,
        Func<Event, CancellationToken, Task> handler,
        Action<SwitchboardWebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return endpoints.MapSwitchboardWebhook(pattern, (value, _, cancellationToken) => handler(value, cancellationToken), configure);
    }

    /// <summary>
    /// <inheritdoc cref="MapSwitchboardWebhook(IEndpointRouteBuilder, string, Func{Event, CancellationToken, Task}, Action{SwitchboardWebhookOptions}?)"/>
    /// The handler also gets the request's <see cref="HttpContext"/>, e.g. for scoped services
    /// (<see cref="HttpContext.RequestServices"/>) or the user behind <c>RequireAuthorization</c>.
    /// </summary>
    /// <returns>The endpoint's builder, for <c>RequireHost</c>, <c>RequireAuthorization</c>, rate limiting, …</returns>
    public static IEndpointConventionBuilder MapSwitchboardWebhook(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern,
        Func<Event, HttpContext, CancellationToken, Task> handler,
        Action<SwitchboardWebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        var services = endpoints.ServiceProvider;
        if (services.GetService<SwitchboardWebhooksAdded>() is null)
        {
            throw new InvalidOperationException("MapSwitchboardWebhook needs builder.Services.AddSwitchboardWebhooks() first.");
        }
        var options = services.GetRequiredService<IOptions<SwitchboardWebhookOptions>>().Value;
        if (configure is not null)
        {
            options = options.Copy();
            configure(options);
            var check = new SwitchboardWebhookOptionsValidator().Validate(null, options);
            if (check.Failed)
            {
                throw new OptionsValidationException(pattern, typeof(SwitchboardWebhookOptions), check.Failures);
            }
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        var endpoint = new WebhookEndpoint(handler, options, services.GetService<TimeProvider>() ?? TimeProvider.System, logger);
        if (!endpoint.IsSigned)
        {
            WebhookLog.Unsigned(logger, pattern);
        }
        return endpoints.MapMethods(pattern, Methods, endpoint.HandleAsync).WithDisplayName("Switchboard webhook " + pattern);
    }

    /// <summary>Marks that <see cref="AddSwitchboardWebhooks"/> ran.</summary>
    private sealed class SwitchboardWebhooksAdded;
}
