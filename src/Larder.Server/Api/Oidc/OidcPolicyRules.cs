using System.Text.RegularExpressions;
using Larder.Contracts.Oidc;
using Larder.Server.Access.Oidc;
using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Oidc;

/// <summary>Validation of a <see cref="CreateOidcPolicyRequest"/>; each problem is a 400 naming it.</summary>
internal static partial class OidcPolicyRules
{
    /// <summary>Lifetime of exchanged tokens when the request gives none.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>Longest lifetime a policy may give (the ID token's own lifetime caps it further).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);

    private const int MaxConditions = 32;
    private const int MaxValueLength = 500;

    /// <summary>The policy the request describes, created now by <paramref name="creator"/>.</summary>
    public static OidcPolicyRecord ToRecord(CreateOidcPolicyRequest request, bool allowHttpIssuers, DateTimeOffset now, long creator)
    {
        if (!CacheRules.IsValidName(request.Name))
        {
            throw BadRequest($"invalid policy name '{request.Name}': use 1 to 64 lower-case letters, digits, '.', '_' or '-'");
        }
        if (IssuerUrl.Problem(request.Issuer, allowHttpIssuers) is { } problem)
        {
            throw BadRequest($"invalid issuer: {problem}");
        }
        if (string.IsNullOrWhiteSpace(request.Audience) || request.Audience.Length > MaxValueLength || request.Audience.Any(char.IsControl))
        {
            throw BadRequest($"an audience is required (the 'aud' the ID tokens carry, at most {MaxValueLength} characters)");
        }
        var lifetime = request.LifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultLifetime;
        if (lifetime < TimeSpan.FromMinutes(1) || lifetime > MaxLifetime)
        {
            throw BadRequest($"invalid lifetimeSeconds {request.LifetimeSeconds}: it must be between 60 and {(int)MaxLifetime.TotalSeconds}");
        }
        return new OidcPolicyRecord(
            0, request.Name, request.Issuer, request.Audience, ParseConditions(request.Conditions), TokenCommands.ParseGrants(request.Grants),
            lifetime, now, creator);
    }

    private static IReadOnlyList<ClaimCondition> ParseConditions(IReadOnlyList<ClaimConditionDto>? conditions)
    {
        if (conditions is null || conditions.Count == 0)
        {
            throw BadRequest(
                "at least one claim condition is required: an issuer such as GitHub Actions signs tokens for every repository it hosts " +
                "(e.g. {\"claim\": \"repository\", \"value\": \"acme/app\"})");
        }
        if (conditions.Count > MaxConditions)
        {
            throw BadRequest($"at most {MaxConditions} claim conditions");
        }
        var result = new List<ClaimCondition>(conditions.Count);
        foreach (var condition in conditions)
        {
            if (condition is null || !ClaimName().IsMatch(condition.Claim ?? ""))
            {
                throw BadRequest($"invalid claim name '{condition?.Claim}': use 1 to 64 letters, digits, '_', '-', '.' or ':'");
            }
            if (condition.Value is null || condition.Value.Length > MaxValueLength || condition.Value.Any(char.IsControl))
            {
                throw BadRequest($"invalid value for claim '{condition.Claim}': at most {MaxValueLength} characters, no control characters");
            }
            var isGlob = condition.Match switch
            {
                null or "exact" => false,
                "glob" => true,
                _ => throw BadRequest($"invalid match '{condition.Match}' for claim '{condition.Claim}': use exact or glob"),
            };
            if (isGlob && condition.Value.All(c => c is '*' or '?'))
            {
                throw BadRequest($"the glob for claim '{condition.Claim}' matches every value; give a pattern that names something");
            }
            result.Add(new ClaimCondition(condition.Claim!, condition.Value, isGlob));
        }
        return result;
    }

    private static InvalidRequestException BadRequest(string message) => new(message);

    [GeneratedRegex(@"^[A-Za-z0-9_.:-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClaimName();
}
