using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Upstreams;

/// <summary>
/// HTTP to upstream binary caches: narinfos (parsed, at most <see cref="MaxNarInfoBytes"/>) and NAR responses. It
/// never retries and has no timeout of its own: callers bound every request with <see cref="UpstreamOptions.Timeout"/>.
/// </summary>
internal sealed partial class UpstreamClient(HttpClient http, ILogger<UpstreamClient> logger)
{
    /// <summary>Larger narinfos are refused (Nix's own are well under 4 KiB even with many references).</summary>
    public const int MaxNarInfoBytes = 1 << 20;

    /// <summary>
    /// <c>GET &lt;upstream&gt;/&lt;hashPart&gt;.narinfo</c>: found, absent (404, 403 or 410, as Nix reads them) or
    /// failed. Cancellation of <paramref name="cancellationToken"/> is a failure, not an exception.
    /// </summary>
    public async Task<UpstreamAnswer> GetNarInfoAsync(string upstreamUrl, string hashPart, string storeDir, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"{upstreamUrl}/{hashPart}.narinfo", HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Gone)
            {
                return UpstreamAnswer.Absent;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogFailed(logger, upstreamUrl, hashPart, $"HTTP {(int)response.StatusCode}");
                return UpstreamAnswer.Failed;
            }
            var text = await ReadLimitedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                LogFailed(logger, upstreamUrl, hashPart, $"a narinfo larger than {MaxNarInfoBytes} bytes");
                return UpstreamAnswer.Failed;
            }
            if (!NarInfoRecord.TryParse(text, out var info, out var error, storeDir))
            {
                LogFailed(logger, upstreamUrl, hashPart, $"a malformed narinfo: {error!.Message}");
                return UpstreamAnswer.Failed;
            }
            return UpstreamAnswer.Found(info!);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            LogFailed(logger, upstreamUrl, hashPart, cancellationToken.IsCancellationRequested ? "no answer in time" : e.Message);
            return UpstreamAnswer.Failed;
        }
    }

    /// <summary>
    /// Opens <paramref name="narUrl"/> once its headers arrived; null (the reason logged) unless the upstream answers 200.
    /// The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage?> OpenNarAsync(Uri narUrl, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await http.GetAsync(narUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return response;
            }
            LogNarFailed(logger, narUrl, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            LogNarFailed(logger, narUrl, cancellationToken.IsCancellationRequested ? "no answer in time" : e.Message);
        }
        response?.Dispose();
        return null;
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxNarInfoBytes)
        {
            return null;
        }
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxNarInfoBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "upstream {Upstream} failed for {HashPart}.narinfo ({Reason}); answering 'absent' without remembering it")]
    private static partial void LogFailed(ILogger logger, string upstream, string hashPart, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "upstream NAR {Url} could not be fetched: {Reason}")]
    private static partial void LogNarFailed(ILogger logger, Uri url, string reason);
}
