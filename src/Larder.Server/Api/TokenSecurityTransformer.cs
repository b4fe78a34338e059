using Larder.Server.Access;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Larder.Server.Api;

/// <summary>
/// Describes Larder's tokens in the OpenAPI document: a <c>bearer</c> security scheme, and on each operation the
/// requirement its <see cref="AccessRequirement"/> declares (optional where public caches may be read anonymously).
/// </summary>
internal sealed class TokenSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    /// <summary>The scheme's name in <c>components.securitySchemes</c>.</summary>
    public const string SchemeName = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.AddComponent<IOpenApiSecurityScheme>(SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A Larder token (larder_…) as `Authorization: Bearer <token>`; also accepted as the password of HTTP Basic, as Nix's netrc sends it.",
        });
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var requirement = context.Description.ActionDescriptor.EndpointMetadata.OfType<AccessRequirement>().LastOrDefault();
        if (requirement is null || requirement.Scope == AccessScope.Anyone)
        {
            return Task.CompletedTask;
        }
        var token = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] };
        // Reading a public cache needs no token: the empty requirement makes the token optional.
        operation.Security = requirement is { Scope: AccessScope.Cache, Permission: Permission.Read } ? [token, new OpenApiSecurityRequirement()] : [token];
        return Task.CompletedTask;
    }
}
