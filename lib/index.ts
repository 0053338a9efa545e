/**
 * sigstore-cdktf: CDK for Terraform constructs that stand up a complete
 * Sigstore instance on Google Cloud, in one region or many.
 *
 * This module is the package's only entry point (`import … from "sigstore-cdktf"`):
 * everything here follows semantic versioning; anything reachable only by a
 * deep path into `dist/` is internal and may change in any release. The
 * stability of each construct is listed in docs/stability.md.
 *
 * @packageDocumentation
 */

// ---- Whole deployments -----------------------------------------------------
export { addSigstoreDeployment } from "./app";
export type { SigstoreDeployment } from "./app";
export { RegionalStack, aggregatesDexKeys, hostedTilesLogs, jwksIncomingBucketName } from "./regional/regional-stack";
export type { RegionalStackProps } from "./regional/regional-stack";
export { GlobalStack } from "./global/global-stack";
export type { GlobalStackProps } from "./global/global-stack";
export { SigstoreStack, TransparentScope, REQUIRED_TERRAFORM_VERSION, localStatePath, stackLabels } from "./shared/sigstore-stack";
export type { SigstoreStackProps } from "./shared/sigstore-stack";

// ---- Configuration ---------------------------------------------------------
export { sigstoreConfigSchema, CLOUD_ARMOR_MAX_RULE_PRIORITY } from "./config/schema";
export type {
  SigstoreConfig,
  SigstoreConfigInput,
  RegionConfig,
  ServiceConfig,
  CloudArmorConfig,
  CloudArmorRuleConfig,
  BackendConfig,
  LoggingConfig,
  RegionalSettings,
  FeaturesConfig,
  NetworkSettings,
  GkeSettings,
  DatabaseSettings,
  ProjectConfig,
  MonitoringConfig,
  DexJwksConfig,
  TilesLogConfig,
  FulcioIssuerConfig,
  DexConnectorConfig,
  CtLogConfig,
  TrustConfig,
} from "./config/schema";
export { ConfigError, loadConfigFile, parseConfig, validateConfig } from "./config/load";
export type { ConfigProblem } from "./config/load";
export { resolveRegionalSettings } from "./config/regional-settings";
export type { ResolvedRegionalSettings } from "./config/regional-settings";

// ---- Names, services and DNS ownership -------------------------------------
export { ResourceNames, regionCode, hostOf, fqdnOf } from "./shared/names";
export { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, hasGrpc } from "./shared/services";
export type { PublicServiceId, PublicServiceSpec } from "./shared/services";
export { planARecords, primaryRegionOf, isOwner } from "./shared/dns-ownership";
export type { ARecordPlan, RecordOwner } from "./shared/dns-ownership";

// ---- Building blocks (usable in any stack) ---------------------------------
export { SecureBucket } from "./shared/bucket";
export type { SecureBucketProps } from "./shared/bucket";
export { KeyRing, CryptoKey } from "./shared/kms";
export type { KeyRingProps, CryptoKeyProps, KeyProtectionLevel } from "./shared/kms";
export { WorkloadIdentityServiceAccount, principal, grantProjectRole, PROJECT_ONLY_ROLES } from "./shared/iam";
export type { Grantee, WorkloadIdentityServiceAccountProps } from "./shared/iam";
export { ServiceARecord } from "./shared/service-a-record";
export type { ARecordId, ServiceARecordProps, WeightedAddress } from "./shared/service-a-record";
export { ImportBlock, RemovedBlock } from "./shared/state-blocks";
export { TerraformData } from "./shared/terraform-data";
export { preventDestroy } from "./shared/protection";

// ---- Global constructs -----------------------------------------------------
export { GlobalFrontend } from "./global/global-frontend";
export type { GlobalFrontendProps, ExtraRoute, BackendTuning } from "./global/global-frontend";
export { CloudArmorPolicy, DEFAULT_RULE_PRIORITY } from "./global/cloud-armor-policy";
export type { CloudArmorPolicyProps } from "./global/cloud-armor-policy";
export { ManagedCertificate } from "./global/managed-certificate";
export type { ManagedCertificateProps } from "./global/managed-certificate";
export { HttpsRedirect } from "./global/https-redirect";
export type { HttpsRedirectProps } from "./global/https-redirect";
export { GlobalUptime } from "./global/uptime";
export type { GlobalUptimeProps, GlobalUptimeTarget } from "./global/uptime";
export { DexJwksAggregation, PUBLISHED_JWKS_OBJECT, incomingJwksObject } from "./global/dex-jwks";
export type { DexJwksAggregationProps, FunctionSource, JwksPublisher } from "./global/dex-jwks";
export { jwksMergerSource, jwksPublisherBundle } from "./shared/function-packages";
export { TilesFrontend } from "./global/tiles-frontend";
export type { TilesFrontendProps } from "./global/tiles-frontend";

// ---- Regional constructs ---------------------------------------------------
export type { RegionalContext } from "./regional/context";
export { DEFAULT_NAME_PREFIX } from "./shared/regional-props";
export type { RegionalPlacementProps } from "./shared/regional-props";
export { ProjectApis, REGIONAL_APIS, GLOBAL_APIS } from "./regional/project-apis";
export type { ProjectApisProps } from "./regional/project-apis";
export { ProjectSettings } from "./regional/project-settings";
export type { ProjectSettingsProps } from "./regional/project-settings";
export { RegionalNetwork } from "./regional/network";
export type { RegionalNetworkProps } from "./regional/network";
export { GkeCluster } from "./regional/gke";
export type { GkeClusterProps } from "./regional/gke";
export { Bastion } from "./regional/bastion";
export type { BastionProps } from "./regional/bastion";
export { RegionalServiceEndpoint } from "./regional/service-endpoint";
export type { RegionalServiceEndpointProps, RegionalServiceExport, NegNames } from "./regional/service-endpoint";
export { NegPublication } from "./regional/neg-publication";
export type { NegPublicationProps } from "./regional/neg-publication";
export { TrillianMySqlInstance, TrillianDatabase } from "./regional/trillian-database";
export type { TrillianMySqlInstanceProps, TrillianDatabaseProps, CloudSqlIamAccount, MaintenanceWindow, InstanceSettings as TrillianInstanceSettings } from "./regional/trillian-database";
export { CloudSqlDatabaseRoles } from "./regional/sql-database-roles";
export type { CloudSqlDatabaseRolesProps, CloudSqlPredefinedRole } from "./regional/sql-database-roles";
export { Fulcio } from "./regional/fulcio";
export type { FulcioProps, FulcioCaMode } from "./regional/fulcio";
export { Rekor } from "./regional/rekor";
export type { RekorProps } from "./regional/rekor";
export { CtLog } from "./regional/ctlog";
export type { CtLogProps, CtLogExport } from "./regional/ctlog";
export { TimestampAuthority } from "./regional/timestamp";
export type { TimestampAuthorityProps, TimestampSigner } from "./regional/timestamp";
export { TufRepository } from "./global/tuf-repository";
export type { TufRepositoryProps } from "./global/tuf-repository";
export { BucketFrontend } from "./global/bucket-frontend";
export type { BucketFrontendProps } from "./global/bucket-frontend";
export { TilesLog, TILES_LOGS } from "./regional/tiles-log";
export type { TilesLogProps, TilesLogKind, TilesLogSpec, TilesLogExport, TilesReadRoute, TilesSpannerSettings, SpannerEdition } from "./regional/tiles-log";
export { Dex } from "./regional/dex";
export type { DexProps } from "./regional/dex";
export { DexJwksPublisher } from "./regional/dex-jwks-publisher";
export type { DexJwksPublisherProps } from "./regional/dex-jwks-publisher";
export { RegionalMonitoring } from "./regional/monitoring";
export type { RegionalMonitoringProps, MonitoredService, MonitoredFeatures, WorkloadId, UptimeCheckerRegion, UptimeCheckPeriod } from "./regional/monitoring";

// ---- Sigstore services as Helm releases (one construct per release) -------
export { RegionalWorkloads } from "./regional/workloads/regional-workloads";
export type { RegionalWorkloadsProps } from "./regional/workloads/regional-workloads";
export { ChartRelease, ManifestsRelease, DEFAULT_RELEASE_TIMEOUT_SECONDS, helmValuesDocument, manifestsChartDir } from "./regional/workloads/release";
export type { ChartReleaseProps, KubernetesObject } from "./regional/workloads/release";
export { CHARTS, sigstoreImage } from "./regional/workloads/charts";
export type { ChartName, ChartSpec, PinnedImage, SigstoreImageValues } from "./regional/workloads/charts";
export { TrillianRelease, TRILLIAN_RPC_PORT, TRILLIAN_HTTP_PORT } from "./regional/workloads/trillian";
export type { TrillianReleaseProps } from "./regional/workloads/trillian";
export { TrillianSchema, TRILLIAN_PRIVILEGES, TRILLIAN_TABLES, grantStatements, schemaCheckStatement } from "./regional/workloads/trillian-schema";
export type { TrillianSchemaProps, DatabaseGrant, DataPrivilege } from "./regional/workloads/trillian-schema";
export { RekorRelease, REKOR_HTTP_PORT, REKOR_TREE_CONFIG_MAP } from "./regional/workloads/rekor";
export type { RekorReleaseProps } from "./regional/workloads/rekor";
export { CtLogRelease, CTLOG_HTTP_PORT, CTLOG_TREE_CONFIG_MAP, ctLogInClusterUrl } from "./regional/workloads/ctlog";
export type { CtLogReleaseProps } from "./regional/workloads/ctlog";
export { CTLOG_KEY_SECRETS, CTLOG_PUBLIC_KEY_SECRET, ctLogKeyLoaderObjects } from "./regional/workloads/ctlog-key";
export type { CtLogKeyLoaderObjectsProps } from "./regional/workloads/ctlog-key";
export { FulcioRelease, FULCIO_PORTS } from "./regional/workloads/fulcio";
export type { FulcioReleaseProps } from "./regional/workloads/fulcio";
export { TimestampRelease, TSA_HTTP_PORT } from "./regional/workloads/tsa";
export type { TimestampReleaseProps } from "./regional/workloads/tsa";
export { TilesLogRelease, TILES_NEG_PORTS } from "./regional/workloads/tiles";
export type { TilesLogReleaseProps } from "./regional/workloads/tiles";
export { DexRelease, DEX_HTTP_PORT } from "./regional/workloads/dex";
export type { DexReleaseProps } from "./regional/workloads/dex";
export { NegReadiness } from "./regional/workloads/neg-readiness";
export type { NegReadinessProps } from "./regional/workloads/neg-readiness";
export { chartCertificateChain } from "./regional/workloads/chains";
export { missingReleaseSettings } from "./regional/workloads/readiness";
export { dexConnectors, dexIssuerUrl, fulcioIdentityConfig } from "./regional/workloads/identity";
export { NEG_ANNOTATION, standaloneNegAnnotation, workloadIdentityAccount } from "./regional/workloads/values";
export type { FulcioIdentityConfig, FulcioOidcIssuer } from "./regional/workloads/values";

// ---- Trust material contract -----------------------------------------------
export { TRUST_OUTPUTS } from "./trust/types";
export type { TrustMaterial, AuthorityMaterial, LogMaterial, InstanceUrls, Validity } from "./trust/types";

// ---- Trust root assembly and outputs --------------------------------------
export * from "./trust";
export { TrustOutputs } from "./global/trust-outputs";
export type { TrustOutputsProps } from "./global/trust-outputs";
export { FulcioRootCa } from "./regional/fulcio-root";
export type { FulcioRootCaProps } from "./regional/fulcio-root";
export { CtLogFrontend } from "./global/ctlog-frontend";
export type { CtLogFrontendProps } from "./global/ctlog-frontend";
export { TrustCommandError, main as trustCommand } from "./cli/trust";

// ---- Apply-time safety ------------------------------------------------------
export { PublicObjectsExemption } from "./regional/public-objects-exemption";
export type { PublicObjectsExemptionProps } from "./regional/public-objects-exemption";
export { LogMetricsReady, TimeSleep } from "./shared/log-metrics-ready";
export type { LogMetricsReadyProps } from "./shared/log-metrics-ready";

// ---- Where services run ----------------------------------------------------
export { enabledServiceIds, frozenRekorLogs, isExposedGlobally, isServiceEnabled, placementRegionOf, regionsServing, rekorRegionOf, servesInRegion } from "./shared/placement";

// ---- Front ends and DNS records ---------------------------------------------
export { HttpsFrontend } from "./global/https-entry";
export { DEFAULT_FRONTEND_CLOUD_ARMOR, DEFAULT_FRONTEND_LOGGING } from "./global/https-entry";
export type { HttpsEntry, HttpsEntryProps, HttpsFrontendProps } from "./global/https-entry";
export { ServiceFrontend } from "./frontend/service-frontend";
export type { ServiceFrontendProps, NegGroup } from "./frontend/service-frontend";
export { ApplyTimeCommand } from "./shared/apply-time-command";
export type { ApplyTimeCommandProps } from "./shared/apply-time-command";
export { RecordGuard } from "./shared/record-guard";
export type { RecordGuardProps } from "./shared/record-guard";

// ---- Synthesis --------------------------------------------------------------
export { enableFastSynthesis, isFastSynthesisEnabled } from "./shared/fast-synthesis";

// ---- Types the props and attributes above refer to -------------------------
export type { ServiceConfigInput } from "./config/schema";
export type { AdditionalLocations } from "./regional/location-validation";
export type { ServiceBackendKind, ServiceFeatureFlag, ServicePlacement } from "./shared/services";
export type { ExistingCertificate } from "./global/managed-certificate";
export type { RegionalFrontendProps } from "./regional/service-endpoint";
export type { PendingTrustValue, InstanceUrlsOutput } from "./global/trust-outputs";
export type { CommandIo } from "./cli/trust";
export type { DexConnectorEntry, ServiceAccountValues } from "./regional/workloads/values";
