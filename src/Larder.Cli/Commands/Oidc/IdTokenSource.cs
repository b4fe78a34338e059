using System.Net.Http.Headers;
using System.Text.Json;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Oidc;

/// <summary>
/// Where a CI job's OpenID Connect ID token comes from, first match wins: a file (<c>--oidc-token-file</c>, e.g. a
/// Kubernetes projected token that its platform keeps fresh), <c>$LARDER_OIDC_TOKEN</c> (GitLab's <c>id_tokens:</c>,
/// Buildkite's <c>buildkite-agent oidc request-token</c>), or GitHub Actions' token service
/// (<c>$ACTIONS_ID_TOKEN_REQUEST_URL</c> with <c>$ACTIONS_ID_TOKEN_REQUEST_TOKEN</c>, given <c>permissions: id-token: write</c>),
/// which mints one for the audience asked.
/// </summary>
internal sealed class IdTokenSource(string? tokenFile, Func<string, string?> getEnvironment)
{
    /// <summary>The environment variable that may hold an ID token.</summary>
    public const string TokenVariable = "LARDER_OIDC_TOKEN";

    /// <summary>A source over the process environment.</summary>
    public IdTokenSource(string? tokenFile) : this(tokenFile, Environment.GetEnvironmentVariable) { }

    /// <summary>Whether any source is there now (a renewal late in a job checks this before trying).</summary>
    public bool IsAvailable =>
        tokenFile is not null ? File.Exists(tokenFile) : NonEmpty(TokenVariable) is not null || GitHubActions() is not null;

    /// <summary>An ID token for <paramref name="audience"/>; a <see cref="CliException"/> naming the sources when there is none.</summary>
    public async Task<string> GetAsync(string audience, CancellationToken cancellationToken)
    {
        if (tokenFile is not null)
        {
            if (!File.Exists(tokenFile))
            {
                throw new CliException($"--oidc-token-file: '{tokenFile}' does not exist");
            }
            return (await File.ReadAllTextAsync(tokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        if (NonEmpty(TokenVariable) is { } fromVariable)
        {
            return fromVariable.Trim();
        }
        if (GitHubActions() is { } actions)
        {
            return await RequestFromGitHubAsync(actions.Url, actions.Token, audience, cancellationToken).ConfigureAwait(false);
        }
        throw new CliException(
            "no OIDC ID token found",
            $"pass --oidc-token-file FILE, set {TokenVariable}, or in GitHub Actions grant the job `permissions: id-token: write`");
    }

    private (string Url, string Token)? GitHubActions() =>
        NonEmpty("ACTIONS_ID_TOKEN_REQUEST_URL") is { } url && NonEmpty("ACTIONS_ID_TOKEN_REQUEST_TOKEN") is { } token ? (url, token) : null;

    private static async Task<string> RequestFromGitHubAsync(string url, string requestToken, string audience, CancellationToken cancellationToken)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}{separator}audience={Uri.EscapeDataString(audience)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", requestToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(
                    $"GitHub Actions refused an ID token ({(int)response.StatusCode})", "does the job have `permissions: id-token: write`?");
            }
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("value", out var value) && value.GetString() is { Length: > 0 } token
                ? token
                : throw new CliException("GitHub Actions answered without an ID token ('value')");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"cannot get an ID token from GitHub Actions: {e.Message}");
        }
    }

    private string? NonEmpty(string name) => getEnvironment(name) is { Length: > 0 } value ? value : null;
}
