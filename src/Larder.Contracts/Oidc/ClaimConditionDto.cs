namespace Larder.Contracts.Oidc;

/// <summary>One condition of a trust policy on a claim of the ID token.</summary>
/// <param name="Claim">The claim's name (<c>repository</c>, <c>ref</c>, <c>environment</c>, <c>sub</c>, …).</param>
/// <param name="Value">The expected value; with <paramref name="Match"/> <c>glob</c>, <c>*</c> matches any run of characters and <c>?</c> one.</param>
/// <param name="Match"><c>exact</c> (the default) or <c>glob</c>. An array claim holds when one of its elements matches.</param>
public sealed record ClaimConditionDto(string Claim, string Value, string? Match = null);
