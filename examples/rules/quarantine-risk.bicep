// A job past the escrow thresholds that quarantine it.
param workspaceId string = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/identity/providers/Microsoft.OperationalInsights/workspaces/entra-logs'
param location string = resourceGroup().location

resource rule 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'prov-quarantine-risk'
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: 'Provisioning quarantine risk'
    severity: 2
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    criteria: {
      allOf: [
        {
          query: '''
AADProvisioningLogs
| summarize Total = count(), Failures = countif(ResultType == "Failure") by JobId
| extend FailureRatio = todouble(Failures) / Total
| where (Failures >= 5000 and (FailureRatio > 0.4 or Failures > 40000)) or Failures > 60000
'''
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'JobId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
  }
}
