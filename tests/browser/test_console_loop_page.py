"""A loop's page on the s3 backend: the input image is a presigned URL of the store, and the page shows it.

The console's Content-Security-Policy allows images from the store's origin (hitl.kernel.middleware
.store_image_origins): here moto's S3 server, named by AWS_ENDPOINT_URL_S3 as a MinIO deployment is.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from flows.loops import lifecycle
from tests import factories as f
from tests.browser.conftest import PASSWORD, png_bytes

pytestmark = pytest.mark.browser

BOX = {
    "annotatedResult": {
        "boundingBoxes": [{"label": "Cat", "left": 10, "top": 20, "width": 30, "height": 40}],
        "inputImageProperties": {"width": 200, "height": 100},
    }
}
# Every CSP refusal in the page, as the browser reports it.
RECORD_VIOLATIONS = (
    "window.__cspRefused = [];"
    "document.addEventListener('securitypolicyviolation', (e) =>"
    " window.__cspRefused.push(e.violatedDirective + ' ' + e.blockedURI));"
)
IMAGE_WIDTH_JS = """(href) => new Promise((resolve) => {
    const probe = new Image();
    probe.onload = () => resolve(probe.naturalWidth);
    probe.onerror = () => resolve(-1);
    probe.src = href;
})"""


def test_the_presigned_store_image_renders_under_the_answers_on_the_loop_page(
    live_server, transactional_db, personas, moto_s3, page: Page
):
    for bucket in ("acme-images", "a2i-results"):  # the input's bucket and the flow's output bucket
        moto_s3.client.create_bucket(Bucket=bucket)
    moto_s3.put("acme-images", "cat.png", png_bytes(200, 100), content_type="image/png")
    f.read_location(personas.account, "acme-images")
    ui = f.human_task_ui(
        personas.account, content=open("flows/definitions/sample_templates/images/bounding-box.liquid.html").read()
    )
    flow = f.flow_definition(personas.account, personas.tenant.team, ui, task_count=1, name="acme-boxes")
    loop = f.human_loop(flow, {"taskObject": "s3://acme-images/cat.png"}, name="cat-1")
    task = lifecycle.claim_next_task(personas.reviewer)
    lifecycle.submit_task(personas.reviewer, task.id, BOX)
    store = moto_s3.client.meta.endpoint_url

    personas.owner.set_password(PASSWORD)
    personas.owner.save(update_fields=["password"])
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(live_server.url + f"/accounts/login/?next=/console/loops/{loop.pk}/")
    page.fill("input[name=login]", personas.owner.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_response(lambda response: response.url.startswith(store + "/acme-images/cat.png")) as image:
        page.click("#login-button")
    assert image.value.status == 200 and image.value.headers["content-type"] == "image/png"

    href = page.locator("svg.drawing image").first.get_attribute("href")
    assert href.startswith(store + "/acme-images/cat.png?")  # presigned by the store, not proxied by hitl
    assert page.evaluate(IMAGE_WIDTH_JS, href) == 200
    assert page.evaluate("() => window.__cspRefused") == []
    policy = page.request.get(page.url).headers["content-security-policy"]
    assert f"img-src 'self' data: {store};" in policy  # exactly the store's origin, no wildcard
