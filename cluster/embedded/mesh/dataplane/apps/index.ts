// Which program runs in a container, decided from its image the way the real images behave (the Bookinfo
// version comes from the image name, not from pod labels).

import type { WorkloadContainer } from "../workloads";
import type { App } from "./app";
import { DetailsApp, ProductPageApp, RatingsApp, ReviewsApp, reviewsVariant } from "./bookinfo";
import { FortioServerApp, HttpbinApp } from "./servers";

export type { App, AppContext, FetchInit, FetchOutcome } from "./app";
export { ExternalSite } from "./servers";

/** The server a container runs, or undefined for clients that listen on nothing (sleep/curl, istio-proxy). */
export function appForContainer(container: WorkloadContainer): App | undefined {
  const image = container.image.toLowerCase();
  const bookinfo = /examples-bookinfo-(productpage|details|reviews|ratings)-(v\d+)/.exec(image);
  if (bookinfo) {
    switch (bookinfo[1]) {
      case "productpage":
        return new ProductPageApp();
      case "details":
        return new DetailsApp();
      case "reviews":
        return new ReviewsApp(reviewsVariant(bookinfo[2] ?? "v1"));
      default:
        return new RatingsApp();
    }
  }
  if (/(^|\/)fortio(\/|:|$)/.test(image) || image.includes("/fortio:")) return new FortioServerApp();
  if (image.includes("httpbin")) return new HttpbinApp(image.includes("go-httpbin") ? [8080] : container.ports.length ? container.ports : [80]);
  return undefined;
}
