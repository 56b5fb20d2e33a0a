using Microsoft.AspNetCore.Http;

namespace Pulseboard.Server.Serving;

/// <summary>How every page and asset is answered: the security headers, the chosen encoding, its ETag, and a 304.</summary>
internal static class PageResponses
{
    /// <summary>For content-hashed URLs: the bytes behind such a URL never change.</summary>
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>For everything else: cache, but ask again each time (a 304 when nothing changed).</summary>
    public const string Revalidate = "no-cache";

    /// <summary>Sets the page headers every answer carries, whatever its status.</summary>
    public static void SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = RendererFiles.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>Answers with <paramref name="body"/> in the encoding the request accepts, or a 304 when it has it.</summary>
    public static IResult Write(HttpContext context, EncodedBody body, string type, string cacheControl, int status = StatusCodes.Status200OK)
    {
        var response = context.Response;
        SecurityHeaders(response);
        var (bytes, encoding, etag) = body.Select(context.Request);
        response.Headers.Vary = "Accept-Encoding";
        response.Headers.CacheControl = cacheControl;
        if (status != StatusCodes.Status200OK)
        {
            response.StatusCode = status;
        }
        else
        {
            response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.Contains(etag))
            {
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }
        }
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }
        return TypedResults.Bytes(bytes, type);
    }
}
