// The failure-spike alert as a Bicep file: `az deployment group create -f failure-spike.bicep`.
@description('The Log Analytics workspace the provisioning logs go to.')
param workspaceId string = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/identity/providers/Microsoft.OperationalInsights/workspaces/entra-logs'
param location string = resourceGroup().location
param failureThreshold int = 50
param environment string = 'production'

resource failureSpike 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'prov-failure-spike'
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: 'Provisioning failure spike (${environment})'
    severity: 2
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '''
AADProvisioningLogs
| where ResultType == "Failure"
| project TimeGenerated, JobId, ResultSignature
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
          threshold: failureThreshold
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
