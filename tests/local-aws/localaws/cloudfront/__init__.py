"""CloudFront control plane as AWS behaves, on top of moto's.

Importing this package installs the patches (see ../__init__.py for why).
"""

from moto.cloudfront import urls
from moto.cloudfront.responses import CloudFrontResponse

from . import distributions, invalidations, key_groups, public_keys, responses  # noqa: F401  (installs them)

# moto's URL map has no .../config routes for key groups and public keys, so
# GetKeyGroupConfig, GetPublicKeyConfig and UpdatePublicKey answered 404.
# The flask app that serves CloudFront is built from this map on first use.
urls.url_paths.update(
    {
        "{0}/2020-05-31/key-group/(?P<key_name>[^/]+)/config$": CloudFrontResponse.dispatch,
        "{0}/2020-05-31/public-key/(?P<key_name>[^/]+)/config$": CloudFrontResponse.dispatch,
    }
)
