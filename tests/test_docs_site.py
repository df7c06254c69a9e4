"""`ott-analytics docs`: dbt's documentation site, generated from the built warehouse and checked in a real
browser (headless Chromium): a mart's columns with their descriptions, its lineage and its exposures."""

import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from orchestration.dbt.docs import generate_docs, serve_command
from orchestration.dbt.resources import dbt_environment

pytestmark = pytest.mark.slow
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def docs_site(pipeline_run, tmp_path):
    target = generate_docs(tmp_path / "docs")
    port = _free_port()
    server = subprocess.Popen(serve_command(target, port), env=dbt_environment(), stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.kill()
        server.wait()


@pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver (.ci/run installs them)"
)
def test_a_marts_columns_lineage_and_exposures_in_a_browser(docs_site):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        browser.get(f"{docs_site}/#!/model/model.ott_analytics.fct_payments")
        WebDriverWait(browser, 60).until(lambda b: "payment_rrn" in b.find_element(By.TAG_NAME, "body").text)
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "Retrieval reference number given by the acquirer." in page  # a column's description
        assert "Nullable(String)" in page  # its type, from the warehouse's catalog
        assert "int_payments__status_history" in page and "stg_payments__events" in page  # what it is built from
        # who reads it: the Exposures tab of its "Referenced By" section (the last of the page's "Exposures")
        browser.find_elements(By.XPATH, "//*[normalize-space(text())='Exposures']")[-1].click()
        WebDriverWait(browser, 10).until(lambda b: "magista_dsl" in b.find_element(By.TAG_NAME, "body").text)
        browser.get(f"{docs_site}/#!/exposure/exposure.ott_analytics.telegram_reports")
        WebDriverWait(browser, 60).until(lambda b: "agg_events_funnel" in b.find_element(By.TAG_NAME, "body").text)
    finally:
        browser.quit()
