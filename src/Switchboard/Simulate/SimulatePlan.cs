namespace Switchboard.Simulate;

/// <summary>What <c>switchboard simulate</c> was asked to play.</summary>
/// <param name="Scenario">The scenario, or null for <c>mix</c>.</param>
/// <param name="Rate">Scenarios started per simulated second.</param>
/// <param name="Speed">Simulated seconds per real second; 0 plays without waiting.</param>
/// <param name="Seed">Seeds every random choice: ids, numbers, timings, the mix, the reordering.</param>
/// <param name="RunId">Starts every idempotency key of the run: derived from a given seed, so that replaying it is acknowledged as duplicates; otherwise new.</param>
internal sealed record SimulatePlan(string Name, Scenario? Scenario, Uri Hub, string Token, long VoipId, int Count, double Rate, double Speed, bool Reorder, int Seed, string RunId);
