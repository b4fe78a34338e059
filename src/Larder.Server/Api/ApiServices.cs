using Larder.Server.Api.Chunks;
using Larder.Server.Api.Push;
using Larder.Server.Api.StreamedCommit;
using Larder.Server.Configuration;
using Larder.Server.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Larder.Server.Api;

/// <summary>Registers the services behind <see cref="ApiEndpoints"/> and <see cref="PushApi"/>.</summary>
public static class ApiServices
{
    /// <summary>
    /// Adds the OpenAPI document (with the token security scheme), the push handlers and their upload-session store (in
    /// the database and blob store). Expects <see cref="LarderOptions"/> and the ingest services of <c>AddBinaryCache</c>.
    /// </summary>
    public static IServiceCollection AddLarderApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer<TokenSecurityTransformer>();
            options.AddOperationTransformer<TokenSecurityTransformer>();
        });
        services.AddSingleton<UploadSessionStore>();
        services.AddSingleton<PushHandlers>();
        services.AddSingleton<ChunkHandlers>();
        services.AddSingleton<StreamedCommitHandler>();
        services.AddSingleton<Artifacts.ArtifactHandlers>();
        services.AddSingleton<ChunkedNarAssembler>();
        services.AddSingleton<CacheKeyRotation>();
        services.AddSingleton<CacheCommands>();
        return services;
    }
}
