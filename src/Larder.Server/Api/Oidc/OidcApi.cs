using System.Globalization;
using Larder.Contracts.Oidc;
using Larder.Server.Access;
using Larder.Server.Access.Oidc;
using Larder.Server.Access.RateLimiting;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Larder.Server.Api.Oidc;

/// <summary>
/// <c>/api/v1/oidc/policies</c> (trust policies, admin on <c>*</c>), <c>POST /api/v1/oidc/token</c> (the exchange; anyone
/// may call it, and refusals count as failed authentications for rate limiting) and <c>GET /api/v1/tokens/events</c>
/// (the token event log, admin on <c>*</c>).
/// </summary>
public static class OidcApi
{
    /// <summary>Most events one listing returns.</summary>
    public const int MaxEvents = 1000;

    /// <summary>Maps the OIDC and token-event endpoints.</summary>
    public static IEndpointRouteBuilder MapOidcApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1").WithTags("OIDC").WithBodyLimit();
        group.MapGet("/oidc/policies", ListPoliciesAsync).WithSummary("List the OIDC trust policies").RequireGlobalAdmin("list OIDC policies");
        group.MapPost("/oidc/policies", CreatePolicyAsync).WithSummary("Create an OIDC trust policy")
            .Accepts<CreateOidcPolicyRequest>("application/json").RequireGlobalAdmin("create OIDC policies");
        group.MapDelete("/oidc/policies/{name}", DeletePolicyAsync).WithSummary("Delete an OIDC trust policy (tokens it issued live on until they expire)")
            .RequireGlobalAdmin("delete OIDC policies");
        group.MapPost("/oidc/token", ExchangeAsync).WithSummary("Exchange an OpenID Connect ID token for a short-lived Larder token")
            .Accepts<OidcTokenRequest>("application/json").AllowAnyone();
        group.MapGet("/tokens/events", ListEventsAsync).WithSummary("The token event log: creation, revocation, writes, OIDC exchanges")
            .RequireGlobalAdmin("read the token event log");
        return app;
    }

    private static async Task<IResult> ListPoliciesAsync(IMetadataStore store, CancellationToken cancellationToken)
    {
        var policies = await store.ListOidcPoliciesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json<IReadOnlyList<OidcPolicyDto>>([.. policies.Select(OidcMapping.ToDto)], OidcJsonContext.Default.IReadOnlyListOidcPolicyDto);
    }

    private static async Task<IResult> CreatePolicyAsync(
        HttpContext http, IMetadataStore store, IOptions<LarderOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, OidcJsonContext.Default.CreateOidcPolicyRequest, cancellationToken).ConfigureAwait(false);
        var record = OidcPolicyRules.ToRecord(request, options.Value.Oidc.AllowHttpIssuers, time.GetUtcNow(), http.Access().Caller.Id);
        try
        {
            var created = await store.CreateOidcPolicyAsync(record, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(OidcMapping.ToDto(created), OidcJsonContext.Default.OidcPolicyDto, statusCode: StatusCodes.Status201Created);
        }
        catch (DuplicateNameException)
        {
            throw new ConflictException($"an OIDC policy named '{record.Name}' exists; delete it first to replace it");
        }
    }

    private static async Task<IResult> DeletePolicyAsync(string name, IMetadataStore store, CancellationToken cancellationToken)
    {
        var policy = (await store.ListOidcPoliciesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Name == name)
            ?? throw new NotFoundException($"no OIDC policy named '{name}'; `larder oidc policy list` shows them");
        await store.DeleteOidcPolicyAsync(policy.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ExchangeAsync(
        HttpContext http, OidcExchange exchange, FailedAuthenticationLimiter failures, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, OidcJsonContext.Default.OidcTokenRequest, cancellationToken).ConfigureAwait(false);
        IssuedToken issued;
        try
        {
            issued = await exchange.ExchangeAsync(request.Token ?? "", cancellationToken).ConfigureAwait(false);
        }
        catch (OidcRefusedException)
        {
            failures.CountFailure(http);
            throw;
        }
        var token = issued.Token;
        var answer = new OidcTokenDto(token.Id, issued.Secret, token.ExpiresAt!.Value, [.. issued.Policies.Select(p => p.Name)], TokenMapping.ToDtos(token.Grants));
        return TypedResults.Json(answer, OidcJsonContext.Default.OidcTokenDto);
    }

    private static async Task<IResult> ListEventsAsync(HttpContext http, IMetadataStore store, CancellationToken cancellationToken)
    {
        var limit = ReadPositive(http, "limit") ?? 100;
        if (limit > MaxEvents)
        {
            throw new InvalidRequestException($"invalid limit {limit}: at most {MaxEvents}");
        }
        var events = await store.ListTokenEventsAsync(ReadPositive(http, "token"), (int)limit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json<IReadOnlyList<TokenEventDto>>([.. events.Select(OidcMapping.ToDto)], OidcJsonContext.Default.IReadOnlyListTokenEventDto);
    }

    private static long? ReadPositive(HttpContext http, string name)
    {
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidRequestException($"invalid {name} '{text}': it must be a positive whole number");
    }
}
