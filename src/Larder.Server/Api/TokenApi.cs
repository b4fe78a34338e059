using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary>
/// <c>/api/v1/tokens</c> and <c>/api/v1/whoami</c>, over <see cref="TokenCommands"/> (who may create and revoke what).
/// Listing all tokens needs admin on <c>*</c>.
/// </summary>
public static class TokenApi
{
    /// <summary>Maps the token endpoints.</summary>
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1").WithTags("Tokens").WithBodyLimit();
        group.MapPost("/tokens", CreateAsync).WithSummary("Create a token; its secret is shown only in this answer")
            .Accepts<CreateTokenRequest>("application/json").RequireToken();
        group.MapGet("/tokens", ListAsync).WithSummary("List all tokens (admin on '*')").RequireGlobalAdmin("list tokens");
        group.MapDelete("/tokens/{id}", RevokeAsync).WithSummary("Revoke a token, effective immediately").RequireToken();
        group.MapGet("/whoami", WhoAmI).WithSummary("The calling token").RequireToken();
        return app;
    }

    private static async Task<Created<CreatedTokenDto>> CreateAsync(
        HttpContext http, TokenCommands tokens, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, LarderJsonContext.Default.CreateTokenRequest, cancellationToken).ConfigureAwait(false);
        var (record, secret) = await tokens.CreateAsync(http.Access().Caller, request, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/tokens/{record.Id}", new CreatedTokenDto(TokenMapping.ToDto(record), secret));
    }

    private static async Task<Ok<IReadOnlyList<TokenDto>>> ListAsync(IMetadataStore store, CancellationToken cancellationToken)
    {
        var tokens = await store.ListTokensAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<TokenDto>>([.. tokens.Select(TokenMapping.ToDto)]);
    }

    private static async Task<NoContent> RevokeAsync(string id, HttpContext http, TokenCommands tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(http.Access().Caller, id, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static Ok<WhoAmIDto> WhoAmI(HttpContext http)
    {
        var caller = http.Access().Caller;
        return TypedResults.Ok(new WhoAmIDto(caller.Id, caller.Description, TokenMapping.ToDtos(caller.Grants), caller.ExpiresAt));
    }
}
