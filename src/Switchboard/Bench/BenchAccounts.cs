using System.Net;
using System.Text;
using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>An account the bench loads: its callback (the receiver) and its listeners.</summary>
internal sealed record BenchAccount(long VoipId, long CallbackId, long[] ListenerIds)
{
    public string Base => $"/v4/accounts/{VoipId}/integrations/events";
}

/// <summary>
/// Creates the bench's accounts through the management API, as an integrator would: a callback
/// per account, then its listeners by express create naming that callback. Removes them again
/// from a shared hub.
/// </summary>
internal static class BenchAccounts
{
    private const int Parallel = 4;

    /// <summary>Account <c>i</c> gets a callback on <paramref name="callbackUrlOf"/>(i).</summary>
    public static async Task<BenchAccount[]> CreateAsync(HttpClient api, long firstVoipId, int accounts, int listenersPerAccount, Func<int, string> callbackUrlOf, bool ordered, CancellationToken cancellationToken)
    {
        var created = new BenchAccount[accounts];
        await System.Threading.Tasks.Parallel.ForAsync(0, accounts, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var voipId = firstVoipId + i;
            var accountBase = $"/v4/accounts/{voipId}/integrations/events";
            var callbackId = await CreateAsync(api, accountBase + "/callbacks", $$$"""{"config":{"url":{{{JsonSerializer.Serialize(callbackUrlOf(i), BenchJsonContext.Default.String)}}}}}""", token);
            var listeners = new long[listenersPerAccount];
            for (var l = 0; l < listenersPerAccount; l++)
            {
                listeners[l] = await CreateAsync(api, accountBase + "/overview", $$"""{"callback_id":{{callbackId}},"ordered":{{(ordered ? "true" : "false")}},":subscriptions":[{":tags":["call"]}]}""", token);
            }
            created[i] = new BenchAccount(voipId, callbackId, listeners);
        });
        return created;
    }

    /// <summary>Deletes what <see cref="CreateAsync"/> made (on a shared hub), listeners first: a callback in use cannot go.</summary>
    public static async Task DeleteAsync(HttpClient api, IEnumerable<BenchAccount> accounts, CancellationToken cancellationToken)
    {
        await System.Threading.Tasks.Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancellationToken }, async (account, token) =>
        {
            foreach (var listener in account.ListenerIds)
            {
                await DeleteAsync(api, $"{account.Base}/listeners/{listener}", token);
            }
            await DeleteAsync(api, $"{account.Base}/callbacks/{account.CallbackId}", token);
        });
    }

    private static async Task<long> CreateAsync(HttpClient api, string path, string json, CancellationToken cancellationToken)
    {
        using var response = await api.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchException($"POST {path} answered {(int)response.StatusCode}: {body}");
        }
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetInt64();
    }

    private static async Task DeleteAsync(HttpClient api, string path, CancellationToken cancellationToken)
    {
        using var response = await api.DeleteAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw new BenchException($"DELETE {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
