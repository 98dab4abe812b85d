// Benchmark: admit() on typical objects (a Bookinfo VirtualService must stay well under 1 ms); run with `npx vitest bench --run test/cluster/embedded/admission`.
import { bench, describe } from "vitest";
import { admit } from "@/cluster/embedded/admission/index";
import * as samples from "./samples";
import { manifests } from "./samples";

const [reviews8020] = manifests(samples.reviews8020);
const [ratingsDelay] = manifests(samples.ratingsTestDelay);
const [richVirtualService] = manifests(samples.richVirtualService);
const [circuitBreaker] = manifests(samples.reviewsCircuitBreaker);
const [, , deployment] = manifests(samples.bookinfoCore);
const [brokenRegex] = manifests(samples.ratingsTestDelay.replace("exact: jason", 'regex: "(?=jason)"'));

describe("admit()", () => {
  bench("VirtualService reviews 80/20", () => void admit(reviews8020!));
  bench("VirtualService ratings test-delay (header match + fault)", () => void admit(ratingsDelay!));
  bench("VirtualService with most HTTP route features", () => void admit(richVirtualService!));
  bench("DestinationRule circuit breaker", () => void admit(circuitBreaker!));
  bench("Deployment reviews-v1", () => void admit(deployment!));
  bench("VirtualService refused for an RE2-incompatible regex", () => void admit(brokenRegex!));
});
